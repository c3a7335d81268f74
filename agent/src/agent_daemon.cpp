#include "agent_daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>

#include "edgestock/config/secret_file.hpp"
#include "edgestock/config/settings.hpp"
#include "edgestock/scanners/serial_source.hpp"
#include "edgestock/scanners/tcp_source.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/mqtt_forwarder.hpp"
#include "edgestock/sync/odoo_client.hpp"
#include "ledger_settings.hpp"
#include "odoo_schedule.hpp"
#include "scan_pipeline.hpp"

#ifndef EDGESTOCK_VERSION
#define EDGESTOCK_VERSION "0.1.0"
#endif

namespace edgestock::agent {

int run_agent(const std::string& config_path, std::ostream& out, std::ostream& err) {
  const auto settings = load_settings_or_explain(config_path, "run", err);
  if (!settings) return 1;
  storage::SystemClock clock;
  auto ledger = storage::Ledger::open(ledger_options(*settings, false), clock);
  if (!ledger) {
    err << "edgestock run: " << ledger.error().message << "\n";
    return 1;
  }

  for (const auto& notice : (*ledger)->notices()) err << "edgestock: ledger: " << notice << "\n";

  boost::asio::io_context io;
  std::optional<sync::MqttForwarder> forwarder;
  if (settings->mqtt.enabled) {
    forwarder.emplace(io, **ledger, *settings, clock, EDGESTOCK_VERSION);
    forwarder->set_log([&err](const std::string& line) { err << line << std::endl; });
    if (const auto problem = forwarder->start(); !problem.empty()) {
      err << "edgestock run: " << problem << "\n";
      return 1;
    }
  }
  // Scans: journal, decode, session, ledger; new moves wake the forwarder.
  ScanPipeline pipeline(
      **ledger, *settings, clock,
      [&forwarder] {
        if (forwarder) forwarder->wake();
      },
      [&forwarder](const std::string& kind, const std::string& text) {
        if (forwarder) forwarder->raise_alert(kind, text);
      });
  // Socket scanners answer on their connection; each connection is a
  // source with a session of its own, which ends with it.
  const scanners::TcpScanSource::Handler answer = [&pipeline](const std::string& source,
                                                              const scanners::LineSplitter::Line& line,
                                                              const std::function<void(std::string)>& reply) {
    for (auto& text : pipeline.on_line(source, line)) reply(std::move(text));
  };
  const scanners::TcpScanSource::ClosedHandler closed = [&pipeline, &out](const std::string& source) {
    for (const auto& text : pipeline.on_source_closed(source)) out << text << std::endl;
  };
  scanners::LineListenerOptions listener;
  listener.max_connections = static_cast<std::size_t>(settings->scanners.tcp_max_connections);
  listener.idle_timeout = std::chrono::seconds(settings->scanners.tcp_idle_timeout_s);
  std::unique_ptr<scanners::TcpScanSource> tcp;
  std::unique_ptr<scanners::UnixScanSource> local;
  try {
    if (settings->scanners.tcp_enabled) {
      tcp = std::make_unique<scanners::TcpScanSource>(io, settings->scanners.tcp_bind,
                                                      static_cast<std::uint16_t>(settings->scanners.tcp_port), answer,
                                                      listener, closed);
    }
  } catch (const std::system_error& error) {
    err << "edgestock run: cannot listen for scans on " << settings->scanners.tcp_bind << ":"
        << settings->scanners.tcp_port << ": " << error.what() << "\n";
    return 1;
  }
  try {
    if (!settings->scanners.unix_socket.empty()) {
      local = std::make_unique<scanners::UnixScanSource>(io, settings->scanners.unix_socket, answer, listener, closed);
    }
  } catch (const std::exception& error) {
    err << "edgestock run: cannot listen for scans on " << settings->scanners.unix_socket << ": " << error.what()
        << "\n";
    return 1;
  }
  // Scanners that cannot show an answer: the answers go to the log.
  const scanners::LineHandler to_log = [&pipeline, &out](const std::string& source,
                                                         const scanners::LineSplitter::Line& line) {
    for (const auto& text : pipeline.on_line(source, line)) out << source << ": " << text << std::endl;
  };
  std::unique_ptr<scanners::SerialScanSource> serial;
  if (!settings->scanners.serial_device.empty()) {
    scanners::SerialOptions serial_options;
    serial_options.device = settings->scanners.serial_device;
    serial_options.baud = static_cast<unsigned>(settings->scanners.serial_baud);
    serial_options.parity = settings->scanners.serial_parity[0];
    const auto& terminator = settings->scanners.serial_terminator;
    serial_options.terminators = terminator == "tab" ? "\t" : terminator == "etx" ? "\x03" : "\r\n";
    serial = std::make_unique<scanners::SerialScanSource>(io, serial_options, to_log);
  }
  std::unique_ptr<scanners::EvdevScanSource> hid;
  if (!settings->scanners.hid_device.empty()) {
    hid = std::make_unique<scanners::EvdevScanSource>(
        io, settings->scanners.hid_device, to_log,
        settings->scanners.hid_layout == "de" ? scanners::KeyboardLayout::de : scanners::KeyboardLayout::us);
  }
  std::unique_ptr<scanners::StreamScanSource> wedge;
  if (settings->scanners.keyboard_wedge) wedge = std::make_unique<scanners::StreamScanSource>(io, 0, "stdin", to_log);

  if (forwarder) {
    forwarder->set_device_states([&] {
      std::vector<sync::DeviceState> devices;
      auto add = [&devices](const std::string& name, const scanners::SourceStatus& s) {
        devices.push_back({name, s.open, s.last_error});
      };
      if (serial) add("serial:" + settings->scanners.serial_device, serial->status());
      if (hid) add("hid:" + settings->scanners.hid_device, hid->status());
      if (wedge) add("stdin", wedge->status());
      if (tcp) devices.push_back({"tcp:" + std::to_string(tcp->port()), true, ""});
      if (local) devices.push_back({"unix:" + settings->scanners.unix_socket, true, ""});
      return devices;
    });
  }

  // The session's auto-confirm needs a clock tick.
  boost::asio::steady_timer session_tick(io);
  std::function<void()> tick = [&] {
    for (const auto& text : pipeline.on_tick()) out << text << std::endl;
    session_tick.expires_after(std::chrono::seconds(1));
    session_tick.async_wait([&](const boost::system::error_code& error) {
      if (!error) tick();
    });
  };
  tick();

  // The catalogue from Odoo, on a thread of its own.
  std::unique_ptr<OdooSchedule> catalogue;
  if (settings->odoo.enabled) {
    const auto key = config::read_secret_file("odoo.api_key_file", settings->odoo.api_key_file);
    if (!key) {
      err << "edgestock run: " << key.error() << "\n";
      return 1;
    }
    catalogue = std::make_unique<OdooSchedule>(
        *settings, *key, **ledger, [&err](const std::string& line) { err << line << std::endl; },
        [&forwarder](const std::string& kind, const std::string& text) {
          if (forwarder) forwarder->raise_alert(kind, text);
        });
  }

  // Retention: at start, then every six hours.
  boost::asio::steady_timer retention(io);
  std::function<void()> prune = [&] {
    if (settings->ledger.retention_days > 0) {
      const auto cutoff = clock.now_ms() - std::int64_t{settings->ledger.retention_days} * 86'400'000;
      if (auto removed = (*ledger)->prune_delivered(cutoff); !removed) {
        err << "edgestock: retention: " << removed.error().message << "\n";
      } else if (*removed > 0) {
        err << "edgestock: retention removed " << *removed << " delivered moves older than "
            << settings->ledger.retention_days << " days\n";
      }
    }
    retention.expires_after(std::chrono::hours(6));
    retention.async_wait([&](const boost::system::error_code& error) {
      if (!error) prune();
    });
  };
  prune();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    err << "edgestock: " << (signal == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping\n";
    if (forwarder) forwarder->stop();
    retention.cancel();
    session_tick.cancel();
    if (tcp) tcp->stop();
    if (local) local->stop();
    if (serial) serial->stop();
    if (wedge) wedge->stop();
    if (hid) hid->stop();
    if (catalogue) catalogue->stop();
    io.stop();
  });
  out << "edgestock " << EDGESTOCK_VERSION << " running: terminal " << settings->terminal << " at site "
      << settings->site << ", ledger " << settings->ledger.path << ", mqtt "
      << (settings->mqtt.enabled ? settings->mqtt.broker : std::string("off")) << ", scans over tcp "
      << (tcp ? settings->scanners.tcp_bind + ":" + std::to_string(tcp->port()) : std::string("off")) << std::endl;
  io.run();
  return 0;
}

}  // namespace edgestock::agent
