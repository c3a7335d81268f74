// /healthz and /metrics through the real process, over real HTTP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "agent_process.hpp"
#include "mosquitto_broker.hpp"
#include "scanner_link.hpp"
#include "temp_dir.hpp"

using namespace edgestock::testing;
using namespace std::chrono_literals;

namespace {

// One request, the whole answer (the endpoint closes after each).
std::string http(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  timeval timeout{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;)
    answer.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  return answer;
}

std::string get(int port, const std::string& path) {
  return http(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
}

struct HttpAgent {
  TempDir dir{"agent-http"};
  int scan_port = free_loopback_port();
  int no_broker = free_loopback_port();
  pid_t pid = -1;
  void write_config(int http_port) const {
    std::ofstream(dir / "edgestock.json")
        << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")" << (dir / "ledger.db").string()
        << R"("}, "mqtt": {"enabled": true, "broker": "tcp://127.0.0.1:)" << no_broker
        << R"("}, "http": {"enabled": true, "port": )" << http_port
        << R"(}, "scanners": {"tcp": {"enabled": true, "port": )" << scan_port
        << R"(}}, "session": {"default_location": "WARD3",
        "operators": {"nurse-042": ["issue"]}}})";
  }
  explicit HttpAgent(int http_port) {
    write_config(http_port);
    pid = start_agent(dir / "edgestock.json", dir / "agent.log");
    REQUIRE(wait_until([&] { return accepts_connections(http_port) && accepts_connections(scan_port); }, 20s));
  }
  ~HttpAgent() {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
};

}  // namespace

TEST_CASE("/healthz says degraded with its reason while MQTT is down; /metrics counts the scans", "[agent][http]") {
  const int port = free_loopback_port();
  HttpAgent agent(port);
  const auto health = get(port, "/healthz");
  CHECK(health.starts_with("HTTP/1.1 200 OK\r\n"));  // offline is not a failure: the ward goes on
  CHECK_THAT(health, Catch::Contains("Content-Type: application/json"));
  CHECK_THAT(health, Catch::Contains(R"("status":"degraded")"));
  CHECK_THAT(health, Catch::Contains("not connected to the MQTT broker"));
  {
    ScannerLink scanner(agent.scan_port);
    scanner.send("OP:nurse-042");
    scanner.send("5012345670010");
    scanner.send("CMD:CONFIRM");
    scanner.send("XX");
    REQUIRE(scanner.wait_for("REFUSED unreadable scan"));
  }
  const auto metrics = get(port, "/metrics");
  CHECK(metrics.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(metrics, Catch::Contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"));
  CHECK_THAT(metrics, Catch::Contains("\nedgestock_moves_recorded_total{kind=\"issue\"} 1\n"));
  CHECK_THAT(metrics, Catch::Contains("\nedgestock_scans_total{result=\"ok\"} 2\n"));       // badge, confirm
  CHECK_THAT(metrics, Catch::Contains("\nedgestock_scans_total{result=\"warning\"} 1\n"));  // not in the catalogue
  CHECK_THAT(metrics, Catch::Contains("\nedgestock_scans_total{result=\"refused\"} 1\n"));
  CHECK_THAT(metrics, Catch::Contains("\nedgestock_outbox_moves{destination=\"mqtt\"} 1\n"));
  CHECK_THAT(metrics, Catch::Contains("\nedgestock_mqtt_connected 0\n"));
}

TEST_CASE("the endpoint changes nothing and reads nothing large", "[agent][http]") {
  const int port = free_loopback_port();
  HttpAgent agent(port);
  CHECK(http(port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            .starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
  CHECK(get(port, "/ledger.db").starts_with("HTTP/1.1 404 Not Found\r\n"));
  const auto head = http(port, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(head.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(head.ends_with("\r\n\r\n"));  // headers only
  const auto huge =
      http(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(10'000, 'a') + "\r\n\r\n");
  CHECK(huge.starts_with("HTTP/1.1 431 "));
  CHECK(get(port, "/healthz?verbose=1").starts_with("HTTP/1.1 200 OK\r\n"));  // still answers after all that
}

TEST_CASE("SIGHUP with a new http.port moves the endpoint", "[agent][http][reload]") {
  const int before = free_loopback_port();
  HttpAgent agent(before);
  const int after = free_loopback_port();
  agent.write_config(after);
  REQUIRE(::kill(agent.pid, SIGHUP) == 0);
  REQUIRE(wait_until([&] { return accepts_connections(after); }, 20s));
  CHECK(get(after, "/metrics").starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(get(after, "/metrics"), Catch::Contains("edgestock_config_reloads_total{result=\"applied\"} 1\n"));
  CHECK_FALSE(accepts_connections(before));
}
