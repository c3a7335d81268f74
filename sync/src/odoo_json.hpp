#pragma once
// Reading and writing the values Odoo puts on the wire, shared by the
// catalogue pull and the poster. Odoo sends `false` for an empty text, date or
// many2one field; many2one values come as [id, name].

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "edgestock/storage/quantity.hpp"
#include "edgestock/sync/odoo_client.hpp"

namespace edgestock::sync::odoo_json {

using Json = nlohmann::json;

// Odoo sends quantities as JSON numbers; they become exact decimals here, at
// the edge, rounded to the six decimals a Quantity keeps.
inline storage::Quantity quantity_of(const Json& value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f", value.is_number() ? value.get<double>() : 0.0);
  return storage::Quantity::parse(text).value_or(storage::Quantity{});
}
// And back: Odoo's Float fields are JSON numbers. Exact for every quantity a
// move may carry (at most 10^15 micro-units, below 2^53).
inline Json number_of(storage::Quantity quantity) {
  return static_cast<double>(quantity.as_micros()) / static_cast<double>(storage::Quantity::kScale);
}
inline std::string text_of(const Json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}
inline std::int64_t id_of(const Json& value) {
  if (value.is_array() && !value.empty() && value[0].is_number_integer()) return value[0].get<std::int64_t>();
  return value.is_number_integer() ? value.get<std::int64_t>() : 0;
}
// An answer's result as JSON; a discarded value (is_discarded()) when it is not JSON.
inline Json parsed(const OdooReply& reply) {
  return Json::parse(reply.result, nullptr, false);
}
inline std::string name_of(const Json& value) {
  return value.is_array() && value.size() > 1 && value[1].is_string() ? value[1].get<std::string>() : std::string();
}

}  // namespace edgestock::sync::odoo_json
