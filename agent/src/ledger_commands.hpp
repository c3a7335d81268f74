#pragma once
// Commands for store staff and IT that read the ledger (and ask the running
// agent, where it must): `moves`, `status`, `audit verify`, and `scan`,
// which hands scans to the running agent as a scanner would.
//
// Exit codes: 0 all is well; 1 a problem was found or the command could not
// do its work (said on stderr); 2 the command line was wrong.

#include <ostream>

#include "cli.hpp"

namespace edgestock::agent {

int run_moves(const Command& command, std::ostream& out, std::ostream& err);
int run_status(const Command& command, std::ostream& out, std::ostream& err);
int run_audit_verify(const Command& command, std::ostream& out, std::ostream& err);
int run_scan(const Command& command, std::ostream& out, std::ostream& err);

// "2026-12-03", "2026-12-03T08:00:00Z", or a time ago: "90m", "8h", "2d".
// Unix milliseconds, or nothing when the text is none of these.
std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms);

}  // namespace edgestock::agent
