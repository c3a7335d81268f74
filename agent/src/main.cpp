// edgestock: the offline-first inventory agent for hospital stores.
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto command = edgestock::agent::parse_command_line(args);
    if (!command) {
      std::cerr << "edgestock: " << command.error() << "\n";
      return 2;
    }
    return edgestock::agent::run_command(*command, std::cout, std::cerr);
  } catch (const std::exception& error) {
    // Whatever a component let through: said plainly, with a failure exit
    // (systemd restarts the agent), never std::terminate's core dump.
    std::cerr << "edgestock: stopped by an unexpected error: " << error.what() << "\n";
    return 70;  // EX_SOFTWARE
  } catch (...) {
    std::cerr << "edgestock: stopped by an unexpected error\n";
    return 70;
  }
}
