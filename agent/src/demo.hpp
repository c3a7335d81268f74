#pragma once
#include <filesystem>
#include <ostream>

namespace edgestock::agent {

// Records a realistic morning of a ward store into the ledger at `path`
// (receipts from central pharmacy, issues to patients' cost centres, a
// transfer to theatre, a cycle count, a mistaken issue and its reversal) and
// prints what a nurse and the IT desk would see. Returns the exit code.
int run_demo(const std::filesystem::path& path, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
