#include "scan_inputs.hpp"

#include <system_error>

namespace edgestock::agent {

ScanInputs::ScanInputs(boost::asio::io_context& io, Handlers handlers) : io_(io), handlers_(std::move(handlers)) {}

ScanInputs::~ScanInputs() {
  stop();
}

std::string ScanInputs::open(const config::ScannerSettings& settings) {
  stop();
  settings_ = settings;
  // Connections are tracked so that a reload that closes them can end their sessions.
  const scanners::TcpScanSource::Handler answer = [this](const std::string& source,
                                                         const scanners::LineSplitter::Line& line,
                                                         const std::function<void(std::string)>& reply) {
    connections_.insert(source);
    handlers_.answer(source, line, reply);
  };
  const scanners::TcpScanSource::ClosedHandler closed = [this](const std::string& source) {
    connections_.erase(source);
    handlers_.closed(source);
  };
  scanners::LineListenerOptions listener;
  listener.max_connections = static_cast<std::size_t>(settings.tcp_max_connections);
  listener.idle_timeout = std::chrono::seconds(settings.tcp_idle_timeout_s);
  try {
    if (settings.tcp_enabled) {
      tcp_ = std::make_unique<scanners::TcpScanSource>(
          io_, settings.tcp_bind, static_cast<std::uint16_t>(settings.tcp_port), answer, listener, closed);
    }
  } catch (const std::system_error& error) {
    stop();
    return "cannot listen for scans on " + settings.tcp_bind + ":" + std::to_string(settings.tcp_port) + ": " +
           error.what();
  }
  try {
    if (!settings.unix_socket.empty()) {
      local_ = std::make_unique<scanners::UnixScanSource>(io_, settings.unix_socket, answer, listener, closed);
    }
  } catch (const std::exception& error) {
    stop();
    return "cannot listen for scans on " + settings.unix_socket + ": " + error.what();
  }
  // Devices that are missing are reported in devices() and retried by their source.
  if (!settings.serial_device.empty()) {
    scanners::SerialOptions serial;
    serial.device = settings.serial_device;
    serial.baud = static_cast<unsigned>(settings.serial_baud);
    serial.parity = settings.serial_parity[0];
    const auto& terminator = settings.serial_terminator;
    serial.terminators = terminator == "tab" ? "\t" : terminator == "etx" ? "\x03" : "\r\n";
    serial_ = std::make_unique<scanners::SerialScanSource>(io_, serial, handlers_.to_log);
  }
  if (!settings.hid_device.empty()) {
    hid_ = std::make_unique<scanners::EvdevScanSource>(
        io_, settings.hid_device, handlers_.to_log,
        settings.hid_layout == "de" ? scanners::KeyboardLayout::de : scanners::KeyboardLayout::us);
  }
  if (settings.keyboard_wedge) wedge_ = std::make_unique<scanners::StreamScanSource>(io_, 0, "stdin", handlers_.to_log);
  return "";
}

std::vector<std::string> ScanInputs::stop() {
  if (tcp_) tcp_->stop();
  if (local_) local_->stop();
  if (serial_) serial_->stop();
  if (hid_) hid_->stop();
  if (wedge_) wedge_->stop();
  tcp_.reset();
  local_.reset();
  serial_.reset();
  hid_.reset();
  wedge_.reset();
  std::vector<std::string> gone(connections_.begin(), connections_.end());
  connections_.clear();
  return gone;
}

std::vector<sync::DeviceState> ScanInputs::devices() const {
  std::vector<sync::DeviceState> devices;
  auto add = [&devices](const std::string& name, const scanners::SourceStatus& s) {
    devices.push_back({name, s.open, s.last_error});
  };
  if (serial_) add("serial:" + settings_.serial_device, serial_->status());
  if (hid_) add("hid:" + settings_.hid_device, hid_->status());
  if (wedge_) add("stdin", wedge_->status());
  if (tcp_) devices.push_back({"tcp:" + std::to_string(tcp_->port()), true, ""});
  if (local_) devices.push_back({"unix:" + settings_.unix_socket, true, ""});
  return devices;
}

std::string ScanInputs::tcp_description() const {
  return tcp_ ? settings_.tcp_bind + ":" + std::to_string(tcp_->port()) : "off";
}

}  // namespace edgestock::agent
