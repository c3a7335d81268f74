#pragma once
// The running agent, the one composition root: it owns the event loop, the
// ledger and every component (scan sources, scan pipeline, MQTT forwarder,
// Odoo schedule) and passes references down. Scans are handled on the scan
// worker's thread and the Odoo work on its own, so the loop never waits for
// a disk flush or for Odoo. It starts them in order, stops
// them in reverse (scans first, MQTT last, so the `offline` status is the
// last word), and on SIGHUP applies the file again, rebuilding only the
// components whose settings changed.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent_log.hpp"
#include "edgestock/config/settings.hpp"
#include "edgestock/storage/clock.hpp"
#include "reload_plan.hpp"
#include "scan_pipeline.hpp"
#include "service_manager.hpp"

namespace edgestock::storage {
class Ledger;
}  // namespace edgestock::storage
namespace edgestock::sync {
class MqttForwarder;
}  // namespace edgestock::sync

namespace edgestock::agent {

class OdooSchedule;
class ScanInputs;
class ScanWorker;
class CentralConfig;
class CentralCommands;
class HttpEndpoint;
class ControlSocket;
struct HttpReply;
struct MetricsSnapshot;
struct HealthFacts;

class Agent {
 public:
  Agent(std::string config_path, AgentLog& log);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Opens the ledger and starts every component `settings` enables. "" or
  // why the agent cannot run (then nothing is left running).
  std::string start(const config::Settings& settings);
  // Runs the loop until SIGINT or SIGTERM.
  void run();
  // A new configuration, applied whole or not at all: "config reload: applied
  // (...)" or "config reload refused: ...; nothing was changed".
  std::string apply(const config::Settings& next);

 private:
  std::string start_forwarder(const config::Settings& settings);
  std::string start_http(const config::HttpSettings& http);
  std::string start_control();
  [[nodiscard]] std::string health_problem(std::int64_t since_ms);
  [[nodiscard]] std::string read_local_file() const;
  void start_central_commands();
  [[nodiscard]] std::string central_report();
  void start_odoo();
  void restart_odoo();
  void post_alert(const std::string& kind, const std::string& text);
  void prune();
  void wait_for_signals();
  void wait_for_reload();
  void reload();
  void stop();
  // What the agent says of itself (agent_status.cpp): systemd's STATUS line,
  // /metrics and /healthz, all read on the loop.
  [[nodiscard]] std::string status_line();
  [[nodiscard]] MetricsSnapshot snapshot();
  [[nodiscard]] HealthFacts health_facts(const MetricsSnapshot& snapshot);
  HttpReply answer_http(const std::string& target);

  std::string config_path_;
  AgentLog& log_;
  boost::asio::io_context io_;
  storage::SystemClock clock_;
  config::Settings settings_;
  std::string mqtt_password_;  // as read at start or at the last reload: a rotated one restarts MQTT
  std::string odoo_key_;
  std::unique_ptr<storage::Ledger> ledger_;
  std::unique_ptr<ScanWorker> scans_;
  std::unique_ptr<sync::MqttForwarder> forwarder_;
  std::unique_ptr<ScanInputs> inputs_;
  std::unique_ptr<OdooSchedule> odoo_;
  std::unique_ptr<HttpEndpoint> http_;
  std::unique_ptr<ControlSocket> control_;  // staff commands that write the ledger
  std::unique_ptr<CentralConfig> central_;
  std::unique_ptr<CentralCommands> commands_;
  std::int64_t odoo_rebuilt_at_ms_ = 0;
  ScanCounters counters_;
  std::atomic<std::int64_t> odoo_last_success_ms_{0};  // written by the Odoo thread
  std::int64_t started_at_ms_ = 0;
  std::int64_t config_applied_ms_ = 0;
  std::int64_t reloads_applied_ = 0;
  std::int64_t reloads_refused_ = 0;
  // An Odoo schedule being retired after a reload finishes its call on a
  // thread of its own; the new one starts when it is done (never two at once).
  std::vector<std::thread> retiring_;
  int odoo_retiring_ = 0;
  bool stopping_ = false;
  boost::asio::steady_timer retention_timer_;
  boost::asio::signal_set stop_signals_;
  boost::asio::signal_set reload_signals_;
  ServiceManager service_;
};

}  // namespace edgestock::agent
