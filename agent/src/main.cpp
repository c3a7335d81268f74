// edgestock: the offline-first inventory agent for hospital stores.
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto command = edgestock::agent::parse_command_line(args);
  if (!command) {
    std::cerr << "edgestock: " << command.error() << "\n";
    return 2;
  }
  return edgestock::agent::run_command(*command, std::cout, std::cerr);
}
