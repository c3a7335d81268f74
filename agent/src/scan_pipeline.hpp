#pragma once
// From a scanned line to durable moves: journal the raw scan, decode it,
// drive the scan session, record the moves it confirms, tell the operator.
// Every source (the USB scanner, the serial one, each TCP connection) has a
// scan session of its own, with its own badge, location, action and open
// lines: two devices used at once never mix their scans.

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "edgestock/config/settings.hpp"
#include "edgestock/scanners/line_splitter.hpp"
#include "edgestock/scanners/scan_session.hpp"
#include "edgestock/storage/ledger.hpp"

namespace edgestock::agent {

// Counted as scans are handled, on the scan worker's thread; read from the
// loop for /metrics.
struct ScanCounters {
  static constexpr std::size_t kKinds = 8;                // storage::MoveKind, receipt .. reversal
  std::atomic<std::int64_t> ok{0};                        // scans answered OK
  std::atomic<std::int64_t> warned{0};                    // answered with a WARNING (and recorded or kept)
  std::atomic<std::int64_t> refused{0};                   // answered REFUSED: nothing was recorded for them
  std::array<std::atomic<std::int64_t>, kKinds> moves{};  // recorded, by kind
  std::atomic<std::int64_t> record_failures{0};           // a confirmed move the ledger refused
};

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
  // When on_tick next has something to do (wall-clock ms); nullopt: not
  // until the next scan. The agent wakes then, not every second.
  [[nodiscard]] std::optional<std::int64_t> next_deadline_ms() const;
  // A reloaded config's session rules and prefixes, for every open session
  // too. Returns what to log (operators signed out whose badge is gone).
  std::vector<std::string> reconfigure(const config::Settings& settings);
  // The source is gone (a TCP connection closed): its session ends. Returns
  // what to log (open lines that were never confirmed).
  std::vector<std::string> on_source_closed(const std::string& source);
  // Where to count scans and moves (none by default).
  void count_into(ScanCounters& counters) { counters_ = &counters; }
  [[nodiscard]] std::size_t sessions() const { return sessions_.size(); }

 private:
  scanners::ScanSession& session_of(const std::string& source);
  std::vector<std::string> finish(scanners::ScanSession& session, const scanners::SessionOutput& output,
                                  std::int64_t scan_id);

  storage::Ledger& ledger_;
  const storage::Clock& clock_;
  scanners::DecodeContext context_;
  scanners::SessionPolicy policy_;
  std::map<std::string, scanners::ScanSession> sessions_;  // by source
  ScanCounters* counters_ = nullptr;
  std::function<void()> on_recorded_;
  std::function<void(const std::string&, const std::string&)> on_alert_;
};

scanners::SessionPolicy session_policy(const config::Settings& settings);

}  // namespace edgestock::agent
