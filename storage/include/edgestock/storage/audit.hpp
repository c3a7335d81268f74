#pragma once
// Hash-chained audit log: every entry carries the SHA-256 of the one before,
// so an edit or a deletion anywhere breaks the chain from that entry on.

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edgestock/storage/error.hpp"

namespace edgestock::storage {

class Database;

struct AuditEntry {
  std::int64_t number = 0;
  std::int64_t at_ms = 0;
  std::string actor;
  std::string action;
  std::string subject;
  std::string detail;
  std::string prev_hash;
  std::string hash;
};

struct AuditVerdict {
  std::int64_t entries_checked = 0;
  // The first entry whose hash or link does not match, with the reason.
  std::optional<std::int64_t> first_broken;
  std::string reason;
  [[nodiscard]] bool intact() const { return !first_broken.has_value(); }
};

// The hash of an entry given the hash of the one before (hex SHA-256).
std::string audit_hash(const AuditEntry& entry);

class AuditLog {
 public:
  explicit AuditLog(Database& database) : database_(database) {}

  // Appends an entry in its own transaction (moves append theirs in the
  // move's transaction).
  std::expected<AuditEntry, LedgerError> append(std::string_view actor, std::string_view action,
                                                std::string_view subject, std::string_view detail);
  [[nodiscard]] AuditVerdict verify() const;
  [[nodiscard]] std::vector<AuditEntry> tail(std::size_t count) const;
  // The entry with this number, if the log has it.
  [[nodiscard]] std::optional<AuditEntry> entry(std::int64_t number) const;

 private:
  Database& database_;
};

}  // namespace edgestock::storage
