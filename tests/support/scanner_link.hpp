#pragma once
// A network scanner as a test drives one: a TCP connection to the agent's
// scan listener, lines out, answers in.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

#include "wait_until.hpp"

namespace edgestock::testing {

class ScannerLink {
 public:
  explicit ScannerLink(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("connect");
    timeval timeout{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~ScannerLink() { ::close(fd_); }
  void send(const std::string& scan) {
    const std::string line = scan + "\r\n";
    REQUIRE(::write(fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
  }
  // Everything answered so far, waiting until `expected` appears.
  bool wait_for(const std::string& expected) {
    return wait_until(
        [&] {
          char buffer[4096];
          const ssize_t got = ::read(fd_, buffer, sizeof buffer);
          if (got > 0) received_.append(buffer, static_cast<std::size_t>(got));
          return received_.find(expected) != std::string::npos;
        },
        std::chrono::seconds(20));
  }
  [[nodiscard]] const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

}  // namespace edgestock::testing
