#pragma once
// The ledger's schema as a list of migrations. PRAGMA user_version holds the
// number of migrations applied; PRAGMA application_id marks the file as ours.

#include "sqlite.hpp"

namespace edgestock::storage::schema {

inline constexpr int kApplicationId = 0x45445354;  // "EDST"
int latest_version();

// Applies the migrations after the file's current version up to `target`, each
// in its own transaction. The file must already be known to be ours or empty.
void migrate(sqlite::Connection& connection, int target);

}  // namespace edgestock::storage::schema
