#pragma once
// The project's Odoo-compatible test server (tests/odoo/odoo_test_server.py)
// as a child process on a free loopback port, for the C++ integration tests.

#include <sys/types.h>

#include <string>

#include "edgestock/config/settings.hpp"

namespace edgestock::testing {

class OdooServer {
 public:
  static constexpr const char* kApiKey = "0123456789abcdef0123456789abcdef01234567";
  // `fixture`: a fixture file other than the default one.
  explicit OdooServer(int version = 17, const std::string& fixture = "");
  // Where the server and its fixture generator live.
  static std::string script_directory();
  ~OdooServer();
  OdooServer(const OdooServer&) = delete;
  OdooServer& operator=(const OdooServer&) = delete;
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int port() const { return port_; }
  // The next `count` object calls, after `after` untouched ones, suffer `kind`.
  void fault(const std::string& kind, int count = 1, int delay_ms = 0, int after = 0) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// Settings for an Odoo client of this server (login admin, 2 s calls).
inline config::OdooSettings odoo_settings(const OdooServer& server) {
  config::OdooSettings s;
  s.enabled = true;
  s.url = server.url();
  s.database = "hospital";
  s.login = "admin";
  s.timeout_ms = 2000;
  return s;
}

}  // namespace edgestock::testing
