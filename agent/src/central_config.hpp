#pragma once
// Config pushed by central IT over MQTT, on the loop: each document is
// checked (config/push.hpp), persisted as pending, applied through the
// agent's own reload (rebuilding only what changed), then watched for a
// health window: healthy, it becomes last-good; not, the last-good settings
// come back and the state says rolled_back with the check that failed. The
// state is retained on {p}/{site}/{terminal}/config/state; every push
// received, applied, refused or rolled back goes into the audit log.
//
// Persisted in one file beside the ledger (temp file, fsync, rename, 0600):
// the last-good document of each scope (site, terminal), the pending one and
// the key rotation in force (retained on {p}/keys, config/key_rotation.hpp).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "edgestock/config/key_rotation.hpp"
#include "edgestock/config/settings.hpp"
#include "edgestock/storage/clock.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"

namespace edgestock::agent {

class CentralConfig {
 public:
  struct Hooks {
    std::function<std::string(const config::Settings&)> apply;  // the agent's reload: "... refused ..." or applied
    // "" when healthy, else the check that failed; `since_ms`: when the push was applied.
    std::function<std::string(std::int64_t since_ms)> health_problem;
    std::function<void(const std::string&)> publish_state;  // the retained state, JSON
    std::function<void(const std::string&)> log;
    std::function<void(const std::string& action, const std::string& detail)> audit;
  };
  struct Document {
    std::int64_t version = 0;
    std::string settings;  // canonical JSON
  };

  CentralConfig(boost::asio::io_context& io, std::filesystem::path state_file, std::string config_path,
                std::string site, std::string terminal, const storage::Clock& clock, Hooks hooks);

  // Reads the persisted documents; "" or why they cannot be used (then none is).
  std::string load();
  // The local file with the last-good documents laid over it: what the agent
  // runs with at start and after a SIGHUP.
  std::expected<config::Settings, config::Problems> effective(const std::string& local_file) const;
  void on_message(const sync::ConfigMessage& message);
  // The local file's central settings with the key rotation in force: whom
  // pushes and commands must be signed by.
  [[nodiscard]] config::CentralSettings trusted(config::CentralSettings local) const;
  // The last state published (for a forwarder made anew).
  [[nodiscard]] const std::string& state() const { return state_; }
  // The last-good versions of the site's and the terminal's documents (0: none).
  [[nodiscard]] std::pair<std::int64_t, std::int64_t> versions() const {
    return {site_good_ ? site_good_->version : 0, terminal_good_ ? terminal_good_->version : 0};
  }

 private:
  enum class Scope { site, terminal };
  struct Pending {
    Scope scope;
    Document document;
    std::int64_t started_ms = 0;
    std::int64_t window_ms = 0;  // central.health_window_s when it was applied
  };
  void handle(Scope scope, const std::string& payload);
  void handle_keys(const std::string& payload);
  void watch_health();
  void settle(const std::string& problem);
  void drain_queue();
  std::string persist() const;
  void report(const std::string& status, std::int64_t version, const std::vector<std::string>& reasons,
              bool unsigned_dev = false);
  [[nodiscard]] std::vector<std::string> pushed(std::optional<std::pair<Scope, std::string>> replaced = {}) const;
  [[nodiscard]] std::optional<Document>& last_good(Scope scope);
  [[nodiscard]] const std::optional<Document>& last_good(Scope scope) const;
  [[nodiscard]] std::string local_file() const;

  boost::asio::io_context& io_;
  std::filesystem::path state_file_;
  std::string config_path_;
  std::string site_;
  std::string terminal_;
  const storage::Clock& clock_;
  Hooks hooks_;
  std::optional<Document> site_good_;
  std::optional<Document> terminal_good_;
  std::optional<Pending> pending_;
  // The last version of each scope that was rolled back: its retained
  // document comes again at every connect and must not be tried again.
  std::int64_t site_rolled_back_ = 0;
  std::int64_t terminal_rolled_back_ = 0;
  config::KeyRotation rotation_;                       // the key rotation in force (version 0: none)
  std::vector<std::pair<Scope, std::string>> queued_;  // arrived while a push was being checked
  boost::asio::steady_timer health_timer_;
  std::string state_;
};

}  // namespace edgestock::agent
