// The agent's side of central IT's commands (central_commands.hpp): what
// resync, replay and report do, wired to the components that do it.
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "agent.hpp"
#include "central_commands.hpp"
#include "central_config.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"
#include "health.hpp"
#include "metrics.hpp"
#include "odoo_schedule.hpp"
#include "scan_worker.hpp"

#ifndef EDGESTOCK_VERSION
#define EDGESTOCK_VERSION "0.1.0"
#endif

namespace edgestock::agent {

using Json = nlohmann::json;
using Result = CentralCommands::Result;

void Agent::start_central_commands() {
  CentralCommands::Hooks hooks;
  hooks.central = [this]() -> std::expected<config::CentralSettings, std::string> {
    const auto local = config::parse_settings(read_local_file());
    if (!local)
      return std::unexpected("the terminal's own file " + config_path_ + " is invalid: " + local.error().front());
    return central_->trusted(local->central);
  };
  hooks.resync = [this](CentralCommands::Done done) {
    if (!odoo_)
      return done({true, Json("Odoo is not running on this terminal (odoo.enabled, or a reload under way)").dump()});
    odoo_->pull_now([this, done = std::move(done)](bool ok, const std::string& summary) {
      boost::asio::post(io_, [done, ok, summary] { done({!ok, Json(summary).dump()}); });
    });
  };
  // Ledger writes go to the scan worker's thread, as every other write does.
  hooks.replay = [this](CentralCommands::Done done) {
    scans_->run([this, done = std::move(done)] {
      Result result;
      const auto open = ledger_->outbox().open_exceptions();
      if (!open) {
        result = Result{true, Json("the exception queue cannot be read: " + open.error().message).dump()};
      } else {
        std::int64_t replayed = 0;
        std::vector<std::string> failed;
        for (const auto& item : *open) {
          if (auto r = ledger_->outbox().replay_exception(item.id, "central IT (replay command)"); r) {
            ++replayed;
          } else {
            failed.push_back("exception " + std::to_string(item.id) + ": " + r.error().message);
          }
        }
        result = Result{!failed.empty(), failed.empty()
                                             ? Json{{"replayed", replayed}}.dump()
                                             : Json(std::to_string(replayed) + " replayed; " + failed.front()).dump()};
      }
      boost::asio::post(io_, [this, done, result] {
        if (forwarder_) forwarder_->wake();
        done(result);
      });
    });
  };
  hooks.report = [this](const CentralCommands::Done& done) { done({false, central_report()}); };
  hooks.ack = [this](const std::string& json) { return forwarder_ && forwarder_->publish_command_ack(json); };
  hooks.log = [this](const std::string& line) { log_.problem(line); };
  hooks.audit = [this](const std::string& action, const std::string& detail) {
    if (auto entry = ledger_->audit().append("central", action, "command", detail); !entry) {
      log_.problem("edgestock: audit: " + entry.error().message);
    }
  };
  commands_ = std::make_unique<CentralCommands>(
      std::filesystem::path(settings_.ledger.path).parent_path() / "central-commands.json", settings_.site,
      settings_.terminal, clock_, std::move(hooks));
  if (auto problem = commands_->load(); !problem.empty()) log_.problem("central commands: " + problem);
}

// Everything central IT needs to judge this terminal from afar: health, what
// waits for each destination, the exceptions, the config in force, the last
// reconciliation with Odoo.
std::string Agent::central_report() {
  const auto s = snapshot();
  const auto health = assess(health_facts(s));
  Json report{{"version", EDGESTOCK_VERSION},
              {"site", s.site},
              {"terminal", s.terminal},
              {"now_ms", s.now_ms},
              {"health", Json::parse(health.json())},
              {"last_seq", s.last_seq},
              {"ledger_bytes", s.ledger_bytes}};
  report["scans"] = {{"ok", s.scans_ok}, {"warned", s.scans_warned}, {"refused", s.scans_refused}};
  for (const auto& [kind, count] : s.moves_by_kind) report["moves"][kind] = count;
  for (const auto& d : s.destinations) {
    report["destinations"][d.name] = {{"pending", d.pending},
                                      {"exceptions", d.exceptions},
                                      {"oldest_pending_ms", d.oldest_pending_ms},
                                      {"last_success_ms", d.last_success_ms ? Json(*d.last_success_ms) : Json()}};
  }
  constexpr std::size_t kListed = 50;  // the ack stays small; edgestock exceptions list has them all
  report["exceptions"] = Json::array();
  if (const auto open = ledger_->outbox().open_exceptions(); open) {
    for (std::size_t i = 0; i < open->size() && i < kListed; ++i) {
      const auto& e = (*open)[i];
      report["exceptions"].push_back(Json{{"id", e.id},
                                          {"destination", e.destination},
                                          {"move", e.move_id.str()},
                                          {"reason", e.reason},
                                          {"since_ms", e.created_at_ms}});
    }
    report["exceptions_total"] = open->size();
  }
  report["config"] = central_->state().empty() ? Json() : Json::parse(central_->state(), nullptr, false);
  report["reconciliation"] = odoo_ ? odoo_->last_reconciliation() : std::string();
  return report.dump();
}

}  // namespace edgestock::agent
