#include <openssl/evp.h>

#include <string>
#include <utility>

#include "audit_chain.hpp"
#include "edgestock/storage/audit.hpp"

#include <stdexcept>

namespace edgestock::storage {
namespace {

// Length-prefixed fields, so that no two different entries hash the same text.
void add_field(std::string& text, std::string_view field) {
  text += std::to_string(field.size());
  text += ':';
  text += field;
  text += ';';
}

// OpenSSL 3 looks an algorithm up on every EVP_sha256() digest unless it is
// fetched once; the fetched object lives as long as the process.
const EVP_MD* sha256() {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kSha256;
}

// Throws when OpenSSL cannot hash (no SHA-256 provider, a failed digest):
// an empty or partial hash must never be written, nor ever verify.
std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const EVP_MD* md = sha256();
  if (md == nullptr || EVP_Digest(text.data(), text.size(), digest, &length, md, nullptr) != 1 || length != 32) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256 digest for the audit log");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(static_cast<std::size_t>(length) * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

AuditEntry read_entry(const sqlite::Statement& row) {
  return AuditEntry{row.column_int(0),  row.column_int(1),  row.column_text(2), row.column_text(3),
                    row.column_text(4), row.column_text(5), row.column_text(6), row.column_text(7)};
}

constexpr const char* kSelectEntries =
    "SELECT number, at_ms, actor, action, subject, detail, prev_hash, hash FROM audit ";

}  // namespace

std::string audit_hash(const AuditEntry& entry) {
  std::string text;
  add_field(text, entry.prev_hash);
  add_field(text, std::to_string(entry.number));
  add_field(text, std::to_string(entry.at_ms));
  add_field(text, entry.actor);
  add_field(text, entry.action);
  add_field(text, entry.subject);
  add_field(text, entry.detail);
  return sha256_hex(text);
}

AuditEntry append_audit_locked(Database& database, std::string_view actor, std::string_view action,
                               std::string_view subject, std::string_view detail) {
  AuditEntry entry{
      database.audit_head.number + 1, database.clock().now_ms(), std::string(actor),       std::string(action),
      std::string(subject),           std::string(detail),       database.audit_head.hash, {}};
  entry.hash = audit_hash(entry);
  database
      .cached(
          "INSERT INTO audit(number, at_ms, actor, action, subject, detail, prev_hash, hash) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
      .bind(1, entry.number)
      .bind(2, entry.at_ms)
      .bind_text(3, entry.actor)
      .bind_text(4, entry.action)
      .bind_text(5, entry.subject)
      .bind_text(6, entry.detail)
      .bind_text(7, entry.prev_hash)
      .bind_text(8, entry.hash)
      .run();
  database.audit_head = {entry.number, entry.hash};
  return entry;
}

std::expected<AuditEntry, LedgerError> AuditLog::append(std::string_view actor, std::string_view action,
                                                        std::string_view subject, std::string_view detail) {
  return with_database(database_, [&] {
    WriteTransaction transaction(database_);
    auto entry = append_audit_locked(database_, actor, action, subject, detail);
    transaction.commit();
    return entry;
  });
}

AuditVerdict AuditLog::verify() const {
  AuditVerdict verdict;
  auto result = with_database(database_, [&] {
    sqlite::Statement rows(database_.connection(), std::string(kSelectEntries) + "ORDER BY number");
    std::string previous_hash;
    std::int64_t expected_number = 1;
    const std::pair<const ChainHead*, const char*> known_heads[] = {
        {&database_.audit_anchor, "the last entry when the ledger was last closed cleanly"},
        {&database_.audit_head, "the last entry this process wrote or read"},
    };
    if (database_.audit_anchor.number < 0) {
      verdict.first_broken = 0;
      verdict.reason = "the record of the log's last entry at the last clean close is unreadable (it was changed)";
      return;
    }
    while (rows.step()) {
      const AuditEntry entry = read_entry(rows);
      ++verdict.entries_checked;
      std::string problem;
      if (entry.number != expected_number) {
        problem = "entry " + std::to_string(expected_number) + " is missing";
      } else if (entry.prev_hash != previous_hash) {
        problem =
            "its link to the previous entry does not match (an entry before it was "
            "changed or removed)";
      } else if (audit_hash(entry) != entry.hash) {
        problem = "its contents do not match its hash (the entry was changed)";
      }
      if (!problem.empty()) {
        verdict.first_broken = entry.number != expected_number ? expected_number : entry.number;
        verdict.reason = std::move(problem);
        return;
      }
      for (const auto& [head, known_as] : known_heads) {
        if (entry.number == head->number && entry.hash != head->hash) {
          verdict.first_broken = entry.number;
          verdict.reason = "it is not " + std::string(known_as) + " (the log was rewritten from here)";
          return;
        }
      }
      previous_hash = entry.hash;
      ++expected_number;
    }
    // The chain alone cannot show entries cut off its end; the known heads can.
    const auto last = expected_number - 1;
    for (const auto& [head, known_as] : known_heads) {
      if (head->number > last) {
        verdict.first_broken = last + 1;
        verdict.reason = "the log ends at entry " + std::to_string(last) + ", but " + known_as + " was entry " +
                         std::to_string(head->number) + ": entries " + std::to_string(last + 1) + " to " +
                         std::to_string(head->number) + " were removed";
        return;
      }
    }
  });
  if (!result) {
    verdict.first_broken = 0;
    verdict.reason = result.error().message;
  }
  return verdict;
}

std::vector<AuditEntry> AuditLog::tail(std::size_t count) const {
  std::vector<AuditEntry> entries;
  (void)with_database(database_, [&] {
    auto& rows = database_.cached(std::string(kSelectEntries) + "ORDER BY number DESC LIMIT ?1");
    rows.bind(1, static_cast<std::int64_t>(count));
    while (rows.step()) entries.push_back(read_entry(rows));
    rows.reset();
  });
  return {entries.rbegin(), entries.rend()};
}

std::optional<AuditEntry> AuditLog::entry(std::int64_t number) const {
  std::optional<AuditEntry> found;
  (void)with_database(database_, [&] {
    auto& row = database_.cached(std::string(kSelectEntries) + "WHERE number = ?1");
    row.bind(1, number);
    if (row.step()) found = read_entry(row);
    row.reset();
  });
  return found;
}

}  // namespace edgestock::storage
