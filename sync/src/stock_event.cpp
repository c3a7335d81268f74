#include "edgestock/sync/stock_event.hpp"

#include <nlohmann/json.hpp>

#include "edgestock/storage/clock.hpp"

namespace edgestock::sync {
namespace {

void put_if(nlohmann::ordered_json& event, const char* key, const std::string& value) {
  if (!value.empty()) event[key] = value;
}

}  // namespace

std::string stock_event_json(const storage::Move& move) {
  const auto& r = move.request;
  char when[32];
  nlohmann::ordered_json product = nlohmann::ordered_json::object();
  if (r.product.odoo_id) product["odoo_id"] = *r.product.odoo_id;
  put_if(product, "gtin", r.product.gtin);
  put_if(product, "code", r.product.code);

  nlohmann::ordered_json event{
      {"schema", kStockEventSchema},
      {"id", move.id.str()},
      {"terminal", move.terminal.str()},
      {"site", move.site.str()},
      {"seq", move.seq.value},
      {"occurred_at", std::string(storage::format_rfc3339_ms(move.occurred_at_ms, when))},
      {"kind", std::string(storage::to_string(r.kind))},
      {"product", product},
      {"qty", r.qty.to_string()},
      {"uom", r.uom.str()},
  };
  put_if(event, "lot", r.lot);
  put_if(event, "expiry", r.expiry);
  put_if(event, "serial", r.serial);
  put_if(event, "from", r.from.str());
  put_if(event, "to", r.to.str());
  put_if(event, "operator", r.operator_id.str());
  put_if(event, "reason", r.reason);
  put_if(event, "cost_centre", r.cost_centre);
  put_if(event, "encounter", r.encounter);
  put_if(event, "reverses", r.reverses.str());
  put_if(event, "raw", r.raw);
  if (r.counted) event["counted"] = r.counted->to_string();
  if (r.expected) event["expected"] = r.expected->to_string();
  return event.dump();
}

}  // namespace edgestock::sync
