#pragma once
// From a scanned line to durable moves: journal the raw scan, decode it,
// drive the scan session, record the moves it confirms, tell the operator.

#include <functional>
#include <string>
#include <vector>

#include "edgestock/config/settings.hpp"
#include "edgestock/scanners/line_splitter.hpp"
#include "edgestock/scanners/scan_session.hpp"
#include "edgestock/storage/ledger.hpp"

namespace edgestock::agent {

class ScanPipeline {
 public:
  // `on_recorded` runs after moves were recorded (the MQTT forwarder's wake).
  // `on_alert(kind, text)` runs for what central staff must hear of too.
  ScanPipeline(storage::Ledger& ledger, const config::Settings& settings, const storage::Clock& clock,
               std::function<void()> on_recorded,
               std::function<void(const std::string&, const std::string&)> on_alert = nullptr);

  // Returns the lines to show the operator: "OK ...", "WARNING ...", "REFUSED ...".
  std::vector<std::string> on_line(const std::string& source, const scanners::LineSplitter::Line& line);
  std::vector<std::string> on_tick();

 private:
  std::vector<std::string> finish(const scanners::SessionOutput& output, std::int64_t scan_id);

  storage::Ledger& ledger_;
  const storage::Clock& clock_;
  scanners::DecodeContext context_;
  scanners::ScanSession session_;
  std::function<void()> on_recorded_;
  std::function<void(const std::string&, const std::string&)> on_alert_;
};

scanners::SessionPolicy session_policy(const config::Settings& settings);

}  // namespace edgestock::agent
