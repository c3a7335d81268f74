#pragma once
#include <ostream>

#include "cli.hpp"

namespace edgestock::agent {

// Runs one command; returns the process exit code (0 ok, 1 failed, 2 misuse).
int run_command(const Command& command, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
