#pragma once
// The config of an agent under test that takes scans over TCP and publishes
// to a test broker: site stjames, terminal ward3-t1, the ledger in `dir`.
#include <filesystem>
#include <fstream>
#include <string>

namespace edgestock::testing {

// `session`: the JSON object of the session settings.
inline std::filesystem::path write_scan_agent_config(const std::filesystem::path& dir, const std::string& broker_uri,
                                                     int scan_port, const std::string& session) {
  auto path = dir / "edgestock.json";
  std::ofstream(path) << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")"
                      << (dir / "ledger.db").string() << R"("}, "mqtt": {"enabled": true, "broker": ")" << broker_uri
                      << R"(", "reconnect_min_ms": 50}, "scanners": {"tcp": {"enabled": true, "port": )" << scan_port
                      << R"(}}, "session": )" << session << "}";
  return path;
}

}  // namespace edgestock::testing
