#include "edgestock/sync/stock_event.hpp"

#include <cstdio>

#include "edgestock/storage/clock.hpp"
#include "edgestock/storage/dates.hpp"

namespace edgestock::sync {
namespace {

// JSON string escaping (RFC 8259, section 7): quote, backslash and control
// characters; everything else, UTF-8 included, passes through as it is.
void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_field(std::string& out, const char* key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  append_string(out, value);
}

void append_field_if(std::string& out, const char* key, std::string_view value) {
  if (!value.empty()) append_field(out, key, value);
}

}  // namespace

// Written by hand rather than through a JSON tree: this runs for every event
// the forwarder publishes. The tests parse its output with nlohmann/json.
std::string stock_event_json(const storage::Move& move) {
  const auto& r = move.request;
  std::string out;
  out.reserve(384);
  out += "{\"schema\":";
  out += std::to_string(kStockEventSchema);
  append_field(out, "id", move.id.str());
  append_field(out, "terminal", move.terminal.str());
  append_field(out, "site", move.site.str());
  out += ",\"seq\":";
  out += std::to_string(move.seq.value);
  char when[32];
  append_field(out, "occurred_at", storage::format_rfc3339_ms(move.occurred_at_ms, when));
  append_field(out, "kind", storage::to_string(r.kind));
  out += ",\"product\":{";
  bool first = true;
  auto product_part = [&](const char* key) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += key;
    out += "\":";
  };
  if (r.product.odoo_id) {
    product_part("odoo_id");
    out += std::to_string(*r.product.odoo_id);
  }
  if (!r.product.gtin.empty()) {
    product_part("gtin");
    append_string(out, r.product.gtin);
  }
  if (!r.product.code.empty()) {
    product_part("code");
    append_string(out, r.product.code);
  }
  out += '}';
  append_field(out, "qty", r.qty.to_string());
  append_field(out, "uom", r.uom.str());
  append_field_if(out, "lot", r.lot);
  append_field_if(out, "expiry", r.expiry);
  append_field_if(out, "serial", r.serial);
  append_field_if(out, "from", r.from.str());
  append_field_if(out, "to", r.to.str());
  append_field_if(out, "operator", r.operator_id.str());
  append_field_if(out, "reason", r.reason);
  append_field_if(out, "cost_centre", r.cost_centre);
  append_field_if(out, "encounter", r.encounter);
  append_field_if(out, "reverses", r.reverses.str());
  append_field_if(out, "raw", r.raw);
  if (r.counted) append_field(out, "counted", r.counted->to_string());
  if (r.expected) append_field(out, "expected", r.expected->to_string());
  if (r.clock_suspect) out += ",\"clock_suspect\":true";
  out += '}';
  return out;
}

}  // namespace edgestock::sync
