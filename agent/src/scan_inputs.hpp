#pragma once
// The scanners the settings name, opened and closed as one: the TCP and Unix
// socket listeners (each connection a source of its own, answered on its
// connection), the serial and USB (evdev) scanners and a keyboard wedge on
// stdin (answers to the log: they have no screen).

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "edgestock/config/settings.hpp"
#include "edgestock/scanners/serial_source.hpp"
#include "edgestock/scanners/tcp_source.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"

namespace edgestock::agent {

class ScanInputs {
 public:
  struct Handlers {
    scanners::TcpScanSource::Handler answer;        // a line from a connection, answered on it
    scanners::TcpScanSource::ClosedHandler closed;  // a connection is gone
    scanners::LineHandler to_log;                   // a line from a device without a screen
  };

  ScanInputs(boost::asio::io_context& io, Handlers handlers);
  ~ScanInputs();
  ScanInputs(const ScanInputs&) = delete;
  ScanInputs& operator=(const ScanInputs&) = delete;

  // Opens every source `settings` names. "" or why a listener could not be
  // opened; then none is left open.
  std::string open(const config::ScannerSettings& settings);
  // Closes every source. Returns the connections that were still open: their
  // sessions end with them (the closed handler is not called for them).
  std::vector<std::string> stop();

  [[nodiscard]] std::vector<sync::DeviceState> devices() const;
  // "127.0.0.1:7001" or "off", for the start line.
  [[nodiscard]] std::string tcp_description() const;

 private:
  boost::asio::io_context& io_;
  Handlers handlers_;
  config::ScannerSettings settings_;
  std::set<std::string> connections_;  // that sent a line and are not closed yet
  std::unique_ptr<scanners::TcpScanSource> tcp_;
  std::unique_ptr<scanners::UnixScanSource> local_;
  std::unique_ptr<scanners::SerialScanSource> serial_;
  std::unique_ptr<scanners::EvdevScanSource> hid_;
  std::unique_ptr<scanners::StreamScanSource> wedge_;
};

}  // namespace edgestock::agent
