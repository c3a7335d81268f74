#pragma once
// Appending to the audit chain inside a transaction the caller holds.

#include <string_view>

#include "database.hpp"
#include "edgestock/storage/audit.hpp"

namespace edgestock::storage {

AuditEntry append_audit_locked(Database& database, std::string_view actor, std::string_view action,
                               std::string_view subject, std::string_view detail);

}  // namespace edgestock::storage
