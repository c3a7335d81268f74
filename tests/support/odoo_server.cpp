#include "odoo_server.hpp"

#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace edgestock::testing {

std::string OdooServer::script_directory() {
  const std::string server = EDGESTOCK_ODOO_SERVER;
  return server.substr(0, server.rfind('/'));
}

OdooServer::OdooServer(int version, const std::string& fixture) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe");
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    const std::string v = std::to_string(version);
    if (fixture.empty()) {
      ::execl(EDGESTOCK_PYTHON, EDGESTOCK_PYTHON, "-B", EDGESTOCK_ODOO_SERVER, "--port", "0", "--version", v.c_str(),
              nullptr);
    } else {
      ::execl(EDGESTOCK_PYTHON, EDGESTOCK_PYTHON, "-B", EDGESTOCK_ODOO_SERVER, "--port", "0", "--version", v.c_str(),
              "--fixture", fixture.c_str(), nullptr);
    }
    std::_Exit(127);
  }
  ::close(out[1]);
  // The server prints "listening on PORT" once it accepts connections.
  FILE* stream = ::fdopen(out[0], "r");
  char line[128] = {};
  if (stream == nullptr || std::fgets(line, sizeof line, stream) == nullptr ||
      std::sscanf(line, "listening on %d", &port_) != 1) {
    throw std::runtime_error("the Odoo test server did not start");
  }
  std::fclose(stream);
}

OdooServer::~OdooServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

void OdooServer::fault(const std::string& kind, int count, int delay_ms, int after) const {
  CURL* curl = curl_easy_init();
  const std::string url = this->url() + "/__test__/faults";
  const std::string body = R"({"kind": ")" + kind + R"(", "count": )" + std::to_string(count) + R"(, "delay_ms": )" +
                           std::to_string(delay_ms) + R"(, "after": )" + std::to_string(after) + "}";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char*, std::size_t s, std::size_t n, void*) { return s * n; });
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) throw std::runtime_error("cannot set the fault");
}

}  // namespace edgestock::testing
