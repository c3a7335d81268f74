#pragma once
// `edgestock doctor`: checks what the agent depends on, one line per check,
// each problem with what to do about it. Works while the agent runs (the
// ledger is read only; the broker is reached under a client id of its own).
// Exit 0 when every check passed, 1 when one did not.

#include <ostream>

#include "cli.hpp"

namespace edgestock::agent {

int run_doctor(const Command& command, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
