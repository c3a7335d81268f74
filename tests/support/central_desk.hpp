#pragma once
// Central IT's desk in the agent's tests: a signing key, documents signed with
// it, published with mosquitto_pub as an operator would; and the terminal's
// own file, trusting that key.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "edgestock/config/push.hpp"
#include "edgestock/config/signing.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_subscriber.hpp"
#include "temp_dir.hpp"

namespace edgestock::testing {

inline std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Central IT's side: a document, signed, published retained as mosquitto_pub does.
struct CentralDesk {
  const MosquittoBroker& broker;
  const TempDir& dir;
  config::SigningKey key = config::generate_signing_key().value();

  [[nodiscard]] std::string document(std::int64_t version, const std::string& settings) const {
    return R"({"version": )" + std::to_string(version) + R"(, "issued_at": )" + std::to_string(now_s() - 5) +
           R"(, "expires_at": )" + std::to_string(now_s() + 3600) + R"(, "target": {"site": "stjames"}, "settings": )" +
           settings + "}";
  }
  [[nodiscard]] std::string sign(const std::string& document) const {
    return config::sign_push(document, key.private_key).value();
  }
  [[nodiscard]] std::string signed_document(std::int64_t version, const std::string& settings) const {
    return config::sign_push(document(version, settings), key.private_key).value();
  }
  // The terminal's own file: trusting this desk's key, on this broker.
  void write_terminal_config(int scan_port, int health_window_s, const std::string& more = "",
                             const std::string& central_more = "") const {
    std::ofstream(dir / "edgestock.json")
        << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")" << (dir / "ledger.db").string()
        << R"("}, "mqtt": {"enabled": true, "broker": ")" << broker.uri()
        << R"(", "reconnect_min_ms": 50, "reconnect_max_ms": 500},
        "scanners": {"tcp": {"enabled": true, "port": )"
        << scan_port << "}}, " << more << R"("central": {"trusted_keys": [")" << key.public_key << R"("], )"
        << central_more << R"("health_window_s": )" << health_window_s << "}}";
  }
  // Retained, as central IT publishes documents; commands are not retained.
  void publish(const std::string& payload, const std::string& topic = "edgestock/stjames/config",
               bool retained = true) const {
    const auto file = dir / "push.json";
    std::ofstream(file) << payload;
    const auto command = "mosquitto_pub -h 127.0.0.1 -p " + std::to_string(broker.port()) + " -q 1 " +
                         (retained ? "-r " : "") + "-t " + topic + " -f " + file.string();
    REQUIRE(std::system(command.c_str()) == 0);
  }
};

// The latest retained state, parsed (an empty object until there is one).
inline nlohmann::json latest_state(const Subscriber& states) {
  const auto all = states.messages();
  return all.empty() ? nlohmann::json::object() : nlohmann::json::parse(all.back().payload);
}

}  // namespace edgestock::testing
