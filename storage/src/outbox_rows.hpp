#pragma once
// Outbox steps shared inside storage/, for callers that hold the database
// mutex and an open transaction.

#include <string_view>

#include "database.hpp"

namespace edgestock::storage {

// A pending outbox row becomes an open exception with `reason` (and an audit
// entry); refuses a row that is not pending.
void move_to_exceptions_locked(Database& db, std::string_view destination, Seq seq, std::string_view reason);

}  // namespace edgestock::storage
