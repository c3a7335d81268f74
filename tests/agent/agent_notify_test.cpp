// systemd's notify protocol through the real process: the test plays the
// service manager, a datagram socket named by NOTIFY_SOCKET as systemd
// gives a Type=notify unit, and reads what libsystemd's sd_notify sends.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>

#include "agent_process.hpp"
#include "mosquitto_broker.hpp"
#include "scanner_link.hpp"
#include "temp_dir.hpp"

using namespace edgestock::testing;
using namespace std::chrono_literals;

namespace {

class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path_.string().size() < sizeof address.sun_path);
    std::strcpy(address.sun_path, path_.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    timeval timeout{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  // Every datagram so far, waiting until one contains `text` `times` times.
  bool wait_for(const std::string& text, int times = 1) {
    return wait_until(
        [&] {
          char buffer[4096];
          const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
          if (got > 0) messages_.emplace_back(buffer, static_cast<std::size_t>(got));
          int found = 0;
          for (const auto& m : messages_) found += m.find(text) != std::string::npos ? 1 : 0;
          return found >= times;
        },
        20s);
  }
  [[nodiscard]] const std::vector<std::string>& messages() const { return messages_; }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

}  // namespace

TEST_CASE("under systemd the agent says READY, its backlog, pings the watchdog and says STOPPING", "[agent]") {
  TempDir dir("agent-notify");
  NotifySocket manager(dir / "notify.sock");
  const int port = free_loopback_port();
  const int no_broker = free_loopback_port();  // nothing listens: moves wait for MQTT
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1",
      "ledger": {"path": ")" << (dir / "ledger.db").string()
                                        << R"("}, "mqtt": {"enabled": true, "broker": "tcp://127.0.0.1:)" << no_broker
                                        << R"("}, "scanners": {"tcp": {"enabled": true, "port": )" << port
                                        << R"(}}, "session": {"default_location": "WARD3",
      "operators": {"nurse-042": ["issue"]}}})";
  // 200 ms: a ping every 100 ms.
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log",
                                  {{"NOTIFY_SOCKET", manager.path().string()}, {"WATCHDOG_USEC", "200000"}});
  REQUIRE(manager.wait_for("READY=1"));
  CHECK_THAT(manager.messages().front(), Catch::StartsWith("STATUS=starting"));
  CHECK(manager.messages().back() == "READY=1\nSTATUS=running; mqtt not connected; mqtt: 0 moves waiting");
  REQUIRE(accepts_connections(port));  // READY comes after the listeners are open
  {
    ScannerLink scanner(port);
    scanner.send("OP:nurse-042");
    scanner.send("5012345670010");
    scanner.send("CMD:CONFIRM");
    REQUIRE(scanner.wait_for("OK recorded #1"));
  }
  REQUIRE(manager.wait_for("WATCHDOG=1", 3));
  REQUIRE(manager.wait_for("mqtt: 1 moves waiting"));
  ::kill(agent, SIGTERM);
  REQUIRE(manager.wait_for("STOPPING=1"));
  int status = 0;
  ::waitpid(agent, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("without NOTIFY_SOCKET a watchdog setting is ignored and the agent runs and stops cleanly", "[agent]") {
  TempDir dir("agent-no-notify");
  const int port = free_loopback_port();
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")"
                                        << (dir / "ledger.db").string()
                                        << R"("}, "scanners": {"tcp": {"enabled": true, "port": )" << port << "}}}";
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log", {{"WATCHDOG_USEC", "200000"}});
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("when its output is the journal's stream, each line carries its syslog priority", "[agent]") {
  TempDir dir("agent-journal");
  const int port = free_loopback_port();
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")"
                                        << (dir / "ledger.db").string()
                                        << R"("}, "scanners": {"tcp": {"enabled": true, "port": )" << port << "}}}";
  // systemd names the journal's stream by device and inode: here, the log file's.
  std::ofstream(dir / "agent.log").close();
  struct stat log_file {};
  REQUIRE(::stat((dir / "agent.log").c_str(), &log_file) == 0);
  const auto stream = std::to_string(log_file.st_dev) + ":" + std::to_string(log_file.st_ino);
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log", {{"JOURNAL_STREAM", stream}});
  REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  std::ofstream(dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1", "ledgr": {}})";
  ::kill(agent, SIGHUP);
  auto log = [&] {
    std::ifstream in(dir / "agent.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  REQUIRE(wait_until([&] { return log().find("ledgr: unknown key") != std::string::npos; }, 20s));
  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  const auto text = log();
  CHECK_THAT(text, Catch::StartsWith("<6>edgestock 0.1.0 running: terminal ward3-t1"));
  CHECK_THAT(text, Catch::Contains("\n<4>config reload refused: "));
  CHECK_THAT(text, Catch::Contains("edgestock.json: ledgr: unknown key\n"));
  CHECK_THAT(text, Catch::Contains("\n<4>  " + (dir / "edgestock.json").string()));  // each line of a message
  CHECK_THAT(text, Catch::Contains("\n<4>edgestock: SIGTERM, stopping\n"));
}
