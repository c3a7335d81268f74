#pragma once
// `edgestock exceptions`: the moves that could not be posted to Odoo, and
// what a person does about them. list and show read the ledger (they work
// while the agent runs); retry, void and map write it, each in the audit log.

#include <ostream>

#include "cli.hpp"

namespace edgestock::agent {

int run_exceptions(const Command& command, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
