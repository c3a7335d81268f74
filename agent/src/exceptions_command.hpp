#pragma once
// `edgestock exceptions`: the moves that could not be posted to Odoo, and
// what a person does about them. list and show read the ledger (they work
// while the agent runs); retry, void and map write it, each in the audit log:
// the running agent does that for the command, asked on its control socket
// (control_socket.hpp), since it holds the ledger.

#include <expected>
#include <ostream>
#include <string>

#include "cli.hpp"

namespace edgestock::storage {
class Ledger;
}

namespace edgestock::agent {

int run_exceptions(const Command& command, std::ostream& out, std::ostream& err);
// The action of `command` on an open ledger (the agent runs it for the CLI).
int run_exceptions_on(storage::Ledger& ledger, const Command& command, std::ostream& out, std::ostream& err);
// The request the CLI sends the agent, and the agent's check of it: only
// retry, void and map, each field bounded; never trusted further than that.
std::string exceptions_request(const Command& command);
std::expected<Command, std::string> parse_exceptions_request(const std::string& text);

}  // namespace edgestock::agent
