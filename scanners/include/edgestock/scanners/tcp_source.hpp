#pragma once
// Scans over TCP, one per line: for network scanners, integration and tests.
// Binds to loopback unless configured otherwise. Each connection gets the
// operator prompts back, one line each.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "edgestock/scanners/line_splitter.hpp"

namespace boost::asio {
class io_context;
}

namespace edgestock::scanners {

class TcpScanSource {
 public:
  // `source` names the peer ("tcp:127.0.0.1:50312"); `reply` sends a line back.
  using Handler = std::function<void(const std::string& source, const LineSplitter::Line& line,
                                     std::function<void(std::string)> reply)>;

  // Throws std::system_error when the address cannot be bound.
  TcpScanSource(boost::asio::io_context& io, const std::string& address, std::uint16_t port, Handler handler);
  ~TcpScanSource();
  TcpScanSource(const TcpScanSource&) = delete;
  TcpScanSource& operator=(const TcpScanSource&) = delete;

  [[nodiscard]] std::uint16_t port() const;  // the bound port (useful with port 0)
  void stop();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgestock::scanners
