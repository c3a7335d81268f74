#pragma once
#include <string>

namespace edgestock::storage {

// Why the ledger refused or failed an operation. `message` is written for the
// person at the terminal or the IT desk: it says what is wrong and what to do.
struct LedgerError {
  enum class Code {
    invalid_move,    // the request breaks a rule; nothing was written
    unit_mismatch,   // the unit differs from the product's or the stock line's
    not_found,       // a referenced move, exception or record does not exist
    not_edgestock,   // the file is some other SQLite database
    corrupt,         // the file is not a readable SQLite database
    newer_schema,    // written by a newer edgestock; this one must not touch it
    wrong_terminal,  // the ledger belongs to another terminal
    in_use,          // another process has the ledger open for writing
    disk_full,       // no space left (or the configured size cap reached)
    read_only,       // the file or its folder cannot be written
    io,              // any other storage failure
    // The disk failed while the commit was being made durable (an I/O error
    // on fsync): the move may or may not be in the ledger. It is known at the
    // next open (Ledger::notices()); until then, check before scanning again.
    outcome_unknown,
  };
  Code code;
  std::string message;
};

}  // namespace edgestock::storage
