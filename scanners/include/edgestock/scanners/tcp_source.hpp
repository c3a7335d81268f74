#pragma once
// Scans as lines over a socket, for network scanners, local scanner bridges,
// integration and tests: TCP (bound to loopback unless configured otherwise)
// or a Unix socket whose group decides who may scan. Each connection gets the
// operator prompts back, one line each, and is a scan source of its own.
//
// Whoever can connect can record scans, so the listener trusts nobody: a
// connection whose first line is an HTTP request (a web page making the
// browser post to 127.0.0.1) is closed before any line is read as a scan;
// connections are capped, idle ones closed, a peer that never reads its
// answers is dropped, and the listener keeps accepting after errors (EMFILE).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "edgestock/scanners/line_splitter.hpp"

namespace boost::asio {
class io_context;
}

namespace edgestock::scanners {

struct LineListenerOptions {
  std::size_t max_connections = 8;
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(30);
  std::size_t max_reply_bytes = std::size_t{64} * 1024;  // answers queued for a peer that does not read
  std::chrono::milliseconds accept_retry{200};
};

struct LineListenerStats {
  std::size_t open_connections = 0;
  std::int64_t accepted = 0;
  std::int64_t refused_http = 0;      // first line was an HTTP request
  std::int64_t refused_full = 0;      // over max_connections
  std::int64_t closed_idle = 0;       // idle past idle_timeout
  std::int64_t closed_slow = 0;       // did not read its answers
  std::int64_t accept_errors = 0;     // accept failed (EMFILE, ...); accepting went on
  std::int64_t partials_dropped = 0;  // unterminated lines discarded when a peer went away
};

class TcpScanSource {
 public:
  // `source` names the connection ("tcp:127.0.0.1:50312"); `reply` sends a line back.
  using Handler = std::function<void(const std::string& source, const LineSplitter::Line& line,
                                     std::function<void(std::string)> reply)>;
  // A connection (a source) is gone: its scan session may go too.
  using ClosedHandler = std::function<void(const std::string& source)>;

  // Throws std::system_error when the address cannot be bound.
  TcpScanSource(boost::asio::io_context& io, const std::string& address, std::uint16_t port, Handler handler,
                LineListenerOptions options = {}, ClosedHandler closed = nullptr);
  ~TcpScanSource();
  TcpScanSource(const TcpScanSource&) = delete;
  TcpScanSource& operator=(const TcpScanSource&) = delete;

  [[nodiscard]] std::uint16_t port() const;  // the bound port (useful with port 0)
  [[nodiscard]] LineListenerStats stats() const;
  void stop();

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The same over a Unix stream socket at `path`, created with mode 0660 (its
// group: the folder's, or set by the service) so that only members of that
// group can scan. A stale socket file from an earlier run is replaced.
class UnixScanSource {
 public:
  UnixScanSource(boost::asio::io_context& io, const std::filesystem::path& path, TcpScanSource::Handler handler,
                 LineListenerOptions options = {}, TcpScanSource::ClosedHandler closed = nullptr);
  ~UnixScanSource();
  UnixScanSource(const UnixScanSource&) = delete;
  UnixScanSource& operator=(const UnixScanSource&) = delete;

  [[nodiscard]] LineListenerStats stats() const;
  void stop();

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// True when `line` is the request line of HTTP ("POST / HTTP/1.1", "GET /x HTTP/1.0").
bool looks_like_http(std::string_view line);

}  // namespace edgestock::scanners
