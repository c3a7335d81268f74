#pragma once
// Reading records from Odoo with search_read, in pages, each row checked
// against what Odoo sends for its fields before any of it is used. Internal
// to the sync library (the catalogue pull and the expected transfers).

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "edgestock/sync/catalogue_pull.hpp"
#include "edgestock/sync/odoo_client.hpp"

namespace edgestock::sync {

using Json = nlohmann::json;

// What a field read from Odoo must be. Odoo sends `false` for an empty text,
// date or many2one field.
enum class Kind { integer, text, many2one, number, boolean };
struct Field {
  const char* name;
  Kind kind;
};

inline const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::integer:
      return "a whole number";
    case Kind::text:
      return "a text or false";
    case Kind::many2one:
      return "a [id, name] pair or false";
    case Kind::number:
      return "a number";
    case Kind::boolean:
      return "true or false";
  }
  return "?";
}

inline bool has_kind(const Json& value, Kind kind) {
  switch (kind) {
    case Kind::integer:
      return value.is_number_integer();
    case Kind::text:
      return value.is_string() || value == false;
    case Kind::many2one:
      return value == false || (value.is_array() && value.size() == 2 && value[0].is_number_integer());
    case Kind::number:
      return value.is_number();
    case Kind::boolean:
      return value.is_boolean();
  }
  return false;
}

// Why a row is not what Odoo sends for these fields, or nothing. Every row is
// checked before any of it is used: reading a missing key of a const JSON
// object is undefined behaviour, and a wrong type throws.
inline std::optional<std::string> check_row(const Json& row, std::span<const Field> fields) {
  if (!row.is_object()) return std::string("a row is not an object");
  if (!row.contains("id") || !row["id"].is_number_integer())
    return std::string("field 'id' is missing or not a number");
  for (const auto& field : fields) {
    if (!row.contains(field.name)) return "field '" + std::string(field.name) + "' is missing";
    if (!has_kind(row[field.name], field.kind)) {
      return "field '" + std::string(field.name) + "' is not " + kind_name(field.kind) + " (record " +
             std::to_string(row["id"].get<std::int64_t>()) + ")";
    }
  }
  return std::nullopt;
}

class Puller {
 public:
  Puller(OdooClient& odoo, PullReport& report) : odoo_(odoo), report_(report) {}

  // search_read in pages; false when a call failed or answered rows that are
  // not what Odoo sends (report_.failure says why).
  // With `archived`, records archived in Odoo are read too: search leaves
  // them out unless asked (active_test), and a pull must learn of archivals.
  bool read_all(const std::string& model, const Json& domain, std::span<const Field> fields,
                const std::function<void(const Json&)>& each, int page_size, bool archived = false) {
    Json names = Json::array();
    for (const auto& field : fields) names.push_back(field.name);
    for (int offset = 0;; offset += page_size) {
      Json params{{"domain", domain},
                  {"fields", names},
                  {"offset", offset},
                  {"limit", page_size},
                  {"order", "write_date asc, id asc"}};
      if (archived) params["context"] = {{"active_test", false}};
      ++report_.rpcs;
      auto reply = odoo_.call(model, "search_read", params.dump());
      if (!reply.ok()) {
        report_.failure = reply;
        return false;
      }
      const auto rows = Json::parse(reply.result, nullptr, false);
      std::optional<std::string> problem;
      if (!rows.is_array()) problem = "the answer is not a list of records";
      for (std::size_t i = 0; !problem && i < rows.size(); ++i) problem = check_row(rows[i], fields);
      if (problem) {
        report_.failure = {OdooOutcome::permanent,
                           {},
                           "bad reply",
                           "Odoo's answer to " + model + ".search_read is not what Odoo sends: " + *problem +
                               "; the catalogue was not updated from it"};
        return false;
      }
      for (const auto& row : rows) each(row);
      if (static_cast<int>(rows.size()) < page_size) return true;
    }
  }

 private:
  OdooClient& odoo_;
  PullReport& report_;
};

}  // namespace edgestock::sync

namespace edgestock::storage {
class Ledger;
}

namespace edgestock::sync {

// The transfers Odoo expects into the site's locations, which replace what
// the ledger knew (expected_pull.cpp); false when the pull stopped (the
// report says why) and the ledger kept what it had.
bool pull_expected(Puller& puller, storage::Ledger& ledger, const std::vector<std::int64_t>& location_ids,
                   const PullScope& scope, PullReport& report);

}  // namespace edgestock::sync
