#pragma once
// Commands from central IT (config/central_command.hpp), on the loop: each is
// checked, its nonce remembered durably before it runs (so a recording of it
// is refused even after a restart), run, and answered on .../cmd/ack:
//   {"terminal", "command", "nonce", "status": "done" | "refused" | "failed",
//    "reasons": [...], "result": ..., "at_ms"}
// Every command received, refused and done goes into the audit log.

#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "edgestock/config/settings.hpp"
#include "edgestock/storage/clock.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"

namespace edgestock::agent {

class CentralCommands {
 public:
  // What a command does; each calls `done` on the loop once, with a result
  // (a JSON value as text) or, for a failure, with `failed` set.
  struct Result {
    bool failed = false;
    std::string json;  // a JSON value: "\"...\"" or an object
  };
  using Done = std::function<void(Result)>;
  struct Hooks {
    // The central settings in force (rotated keys applied), or why there are none.
    std::function<std::expected<config::CentralSettings, std::string>()> central;
    std::function<void(Done)> resync;  // pull the catalogue and quants now
    std::function<void(Done)> replay;  // post the exception queue again
    std::function<void(Done)> report;  // a full status and reconciliation report
    std::function<bool(const std::string&)> ack;
    std::function<void(const std::string&)> log;
    std::function<void(const std::string& action, const std::string& detail)> audit;
  };

  CentralCommands(std::filesystem::path nonce_file, std::string site, std::string terminal, const storage::Clock& clock,
                  Hooks hooks);
  // Reads the remembered nonces; "" or why they cannot be (then every command
  // is refused: a replay could not be told apart).
  std::string load();
  void on_message(const sync::ConfigMessage& message);

 private:
  void answer(const std::string& command, const std::string& nonce, const std::string& status,
              const std::vector<std::string>& reasons, const std::string& result_json = "null");
  [[nodiscard]] std::string persist() const;

  std::filesystem::path nonce_file_;
  std::string site_;
  std::string terminal_;
  const storage::Clock& clock_;
  Hooks hooks_;
  std::map<std::string, std::int64_t> nonces_;  // nonce -> its command's expiry, Unix seconds
  bool nonces_readable_ = true;
};

}  // namespace edgestock::agent
