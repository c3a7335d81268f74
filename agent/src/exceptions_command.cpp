#include "exceptions_command.hpp"

#include <memory>
#include <nlohmann/json.hpp>

#include "control_socket.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/odoo_poster.hpp"
#include "ledger_settings.hpp"

namespace edgestock::agent {
namespace {

using storage::ExceptionItem;
using Json = nlohmann::json;

std::string describe(const storage::Move& move) {
  const auto& r = move.request;
  std::string text =
      std::string(storage::to_string(r.kind)) + " " + r.qty.to_string() + " " + r.uom.str() + " of " + r.product.key();
  if (!r.lot.empty()) text += " lot " + r.lot;
  if (!r.from.empty()) text += " from " + r.from.str();
  if (!r.to.empty()) text += " to " + r.to.str();
  return text + " by " + r.operator_id.str() + " at " + storage::rfc3339_ms(move.occurred_at_ms);
}

// The open exception `id`, or why there is none.
std::expected<ExceptionItem, std::string> find(storage::Ledger& ledger, std::int64_t id) {
  const auto open = ledger.outbox().open_exceptions();
  if (!open) return std::unexpected(open.error().message);
  for (const auto& item : *open) {
    if (item.id == id) return item;
  }
  return std::unexpected("no open exception number " + std::to_string(id) +
                         " ('edgestock exceptions list' shows them)");
}

int list(storage::Ledger& ledger, std::ostream& out, std::ostream& err) {
  const auto open = ledger.outbox().open_exceptions();
  if (!open) {
    err << "edgestock exceptions: " << open.error().message << "\n";
    return 1;
  }
  if (open->empty()) out << "no open exceptions\n";
  for (const auto& item : *open) {
    const auto move = ledger.find_move(item.move_id);
    out << item.id << "  " << item.destination << "  seq " << item.seq.value << "  "
        << (move && *move ? describe(**move) : item.move_id.str()) << "\n    " << item.reason << "\n";
  }
  return 0;
}

// Cancels the excepted move with a reversal: the stock shown is restored and
// consumers of the events hear of it; Odoo, which never had the move, gets
// neither. Safe to run again after a crash half way.
int void_move(storage::Ledger& ledger, const ExceptionItem& item, const std::string& by, std::ostream& out,
              std::ostream& err) {
  const auto original = ledger.find_move(item.move_id);
  if (!original || !*original) {
    err << "edgestock exceptions: move " << item.move_id.str() << " is not in the ledger\n";
    return 1;
  }
  auto reversal = ledger.reversal_of(item.move_id);
  if (!reversal) {
    err << "edgestock exceptions: " << reversal.error().message << "\n";
    return 1;
  }
  if (!*reversal) {
    storage::MoveRequest r = (**original).request;
    r.kind = storage::MoveKind::reversal;
    r.reverses = item.move_id;
    r.operator_id = storage::OperatorId(by);
    r.reason = "voids exception " + std::to_string(item.id) + ": " + item.reason;
    r.raw.clear();
    r.occurred_at_ms.reset();
    auto recorded = ledger.record(r);
    if (!recorded) {
      err << "edgestock exceptions: the reversal was not recorded: " << recorded.error().message << "\n";
      return 1;
    }
    *reversal = *recorded;
  }
  if (item.destination == storage::kDestinationOdoo) {
    (void)ledger.outbox().mark_sent(storage::kDestinationOdoo, (**reversal).seq);  // not pending any more: fine
  }
  if (auto closed = ledger.outbox().resolve_exception(item.id, by, "voided by reversal " + (**reversal).id.str());
      !closed) {
    err << "edgestock exceptions: " << closed.error().message << "\n";
    return 1;
  }
  out << "exception " << item.id << " voided by reversal #" << (**reversal).seq.value << "\n";
  return 0;
}

int map_and_retry(storage::Ledger& ledger, const Command& command, const ExceptionItem& item, std::ostream& out,
                  std::ostream& err) {
  const auto move = ledger.find_move(item.move_id);
  if (!move || !*move) {
    err << "edgestock exceptions: move " << item.move_id.str() << " is not in the ledger\n";
    return 1;
  }
  const auto& r = (**move).request;
  std::string key;
  std::string value;
  if (command.product != 0) {
    key = std::string(sync::kProductMapPrefix) + r.product.key();
    value = std::to_string(command.product);
  } else if (command.lot != 0) {
    const auto product = sync::catalogue_product(ledger.catalogue(), r.product);
    if (!product || r.lot.empty()) {
      err << "edgestock exceptions: map the product first, or the move has no lot: "
          << (product ? "no lot" : product.error()) << "\n";
      return 1;
    }
    key = sync::lot_map_key(*product, r.lot);
    value = std::to_string(command.lot);
  } else {
    const auto equals = command.location.find('=');
    key = std::string(sync::kLocationMapPrefix) + command.location.substr(0, equals);
    value = command.location.substr(equals + 1);
  }
  if (auto set = ledger.catalogue().set_setting(key, value); !set) {
    err << "edgestock exceptions: " << set.error().message << "\n";
    return 1;
  }
  (void)ledger.audit().append(command.by, "map", key, value);
  if (auto replayed = ledger.outbox().replay_exception(item.id, command.by); !replayed) {
    err << "edgestock exceptions: " << replayed.error().message << "\n";
    return 1;
  }
  out << "mapped " << key.substr(4) << " to Odoo id " << value << "; exception " << item.id
      << " is posted again at the agent's next round\n";
  return 0;
}

}  // namespace

int run_exceptions_on(storage::Ledger& ledger, const Command& command, std::ostream& out, std::ostream& err) {
  if (command.action == "list") return list(ledger, out, err);
  const auto item = find(ledger, command.exception);
  if (!item) {
    err << "edgestock exceptions: " << item.error() << "\n";
    return 1;
  }
  if (command.action == "show") {
    const auto move = ledger.find_move(item->move_id);
    out << "exception " << item->id << " (" << item->destination << ", since "
        << storage::rfc3339_ms(item->created_at_ms) << ")\n  move " << item->move_id.str() << ", seq "
        << item->seq.value << ": " << (move && *move ? describe(**move) : "not in the ledger")
        << "\n  reason: " << item->reason << "\n";
    return 0;
  }
  if (command.action == "retry") {
    if (auto replayed = ledger.outbox().replay_exception(item->id, command.by); !replayed) {
      err << "edgestock exceptions: " << replayed.error().message << "\n";
      return 1;
    }
    out << "exception " << item->id << " is posted again at the agent's next round\n";
    return 0;
  }
  if (command.action == "void") return void_move(ledger, *item, command.by, out, err);
  if (command.action == "map") return map_and_retry(ledger, command, *item, out, err);
  err << "edgestock exceptions: no action '" << command.action << "' (list, show, retry, void, map)\n";
  return 2;
}

std::string exceptions_request(const Command& command) {
  return Json{
      {"command", "exceptions"},    {"action", command.action}, {"id", command.exception},     {"by", command.by},
      {"product", command.product}, {"lot", command.lot},       {"location", command.location}}
      .dump();
}

std::expected<Command, std::string> parse_exceptions_request(const std::string& text) {
  const auto request = Json::parse(text, nullptr, false);
  if (!request.is_object()) return std::unexpected("the request is not a JSON object");
  const auto text_of = [&](const char* key) {
    const auto found = request.find(key);
    return found != request.end() && found->is_string() ? found->get<std::string>() : std::string();
  };
  const auto number_of = [&](const char* key) {
    const auto found = request.find(key);
    return found != request.end() && found->is_number_integer() ? found->get<std::int64_t>() : std::int64_t{0};
  };
  if (text_of("command") != "exceptions") return std::unexpected("the agent takes only 'exceptions' requests here");
  Command command;
  command.verb = Verb::exceptions;
  command.action = text_of("action");
  if (command.action != "retry" && command.action != "void" && command.action != "map") {
    return std::unexpected("the agent takes retry, void and map here ('" + command.action +
                           "' is not one; list and show read the ledger themselves)");
  }
  command.exception = number_of("id");
  command.by = text_of("by");
  command.product = number_of("product");
  command.lot = number_of("lot");
  command.location = text_of("location");
  if (command.exception <= 0) return std::unexpected("the request names no exception");
  if (command.by.empty() || command.by.size() > 64) return std::unexpected("the request says not who asks (--by)");
  if (command.location.size() > 128) return std::unexpected("the location mapping is too long");
  const int maps = (command.product != 0) + (command.lot != 0) + (!command.location.empty());
  if (command.action == "map" && maps != 1) {
    return std::unexpected("map takes exactly one of --product, --lot and --location");
  }
  return command;
}

int run_exceptions(const Command& command, std::ostream& out, std::ostream& err) {
  auto settings = load_settings_or_explain(command.config_path, "exceptions", err);
  if (!settings) return 1;
  const bool writes = command.action != "list" && command.action != "show";
  storage::SystemClock clock;
  auto opened = storage::Ledger::open(ledger_options(*settings, !writes), clock);
  if (!opened && writes && opened.error().code == storage::LedgerError::Code::in_use) {
    // The agent holds the ledger: it does the change, on its own ledger thread.
    const auto path = control_socket_path(*settings);
    const auto answer = ask_agent(path, exceptions_request(command));
    if (!answer) {
      err << "edgestock exceptions: " << opened.error().message << "; and its control socket " << path.string()
          << " does not answer (" << answer.error() << "): run this as the agent's user or root, or stop the agent\n";
      return 1;
    }
    out << answer->out;
    err << answer->err;
    return answer->exit;
  }
  if (!opened) {
    err << "edgestock exceptions: " << opened.error().message << "\n";
    return 1;
  }
  return run_exceptions_on(**opened, command, out, err);
}

}  // namespace edgestock::agent
