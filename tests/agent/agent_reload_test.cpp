// SIGHUP through the real process: `edgestock run` applies its file again
// without a restart, rebuilding only what changed; a file that is invalid or
// that changes what needs a restart changes nothing.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "agent_process.hpp"
#include "mosquitto_broker.hpp"
#include "scanner_link.hpp"
#include "temp_dir.hpp"

using namespace edgestock::testing;
using namespace std::chrono_literals;

namespace {

struct ReloadingAgent {
  TempDir dir{"agent-reload"};
  pid_t pid = -1;

  void write_config(int port, const std::string& terminal = "ward3-t1",
                    const std::string& operators = R"({"nurse-042": ["issue"], "tech-017": ["issue"]})") const {
    std::ofstream(dir / "edgestock.json")
        << R"({"site": "stjames", "terminal": ")" << terminal << R"(", "ledger": {"path": ")"
        << (dir / "ledger.db").string() << R"("}, "scanners": {"tcp": {"enabled": true, "port": )" << port
        << R"(}}, "session": {"default_location": "WARD3", "operators": )" << operators << "}}";
  }
  [[nodiscard]] std::string log() const {
    std::ifstream in(dir / "agent.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  [[nodiscard]] bool logged(const std::string& text, int times = 1) const {
    return wait_until(
        [&] {
          const auto all = log();
          int found = 0;
          for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1)) ++found;
          return found >= times;
        },
        20s);
  }
  void start(int port) {
    write_config(port);
    pid = start_agent(dir / "edgestock.json", dir / "agent.log");
    REQUIRE(wait_until([&] { return accepts_connections(port); }, 20s));
  }
  void hup() const { REQUIRE(::kill(pid, SIGHUP) == 0); }
  ~ReloadingAgent() {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
};

void signs_in(int port) {
  ScannerLink scanner(port);
  scanner.send("OP:nurse-042");
  REQUIRE(scanner.wait_for("OK hello nurse-042"));
}

}  // namespace

TEST_CASE("SIGHUP with a new scanner port: the new port takes scans, the old one is closed", "[agent][reload]") {
  ReloadingAgent agent;
  const int before = free_loopback_port();
  agent.start(before);
  const int after = free_loopback_port();
  agent.write_config(after);
  agent.hup();
  REQUIRE(agent.logged("config reload: applied (rebuilt: scanners)"));
  REQUIRE(wait_until([&] { return accepts_connections(after); }, 20s));
  signs_in(after);
  CHECK_FALSE(accepts_connections(before));
}

TEST_CASE("SIGHUP with an invalid file changes nothing and says what is wrong", "[agent][reload]") {
  ReloadingAgent agent;
  const int port = free_loopback_port();
  agent.start(port);
  std::ofstream(agent.dir / "edgestock.json") << R"({"site": "stjames", "terminal": "ward3-t1", "scanners": {"tcp":)";
  agent.hup();
  REQUIRE(agent.logged("config reload refused: " + (agent.dir / "edgestock.json").string() +
                       " is invalid; nothing was changed:"));
  signs_in(port);
  // An unknown key is a problem too, named with its path.
  {
    std::ofstream bad(agent.dir / "edgestock.json");
    bad << R"({"site": "stjames", "terminal": "ward3-t1", "ledger": {"path": ")" << (agent.dir / "ledger.db").string()
        << R"("}, "scanners": {"tcp": {"enabled": true, "port": )" << port << R"(, "portt": 1}}})";
  }
  agent.hup();
  REQUIRE(agent.logged("nothing was changed:", 2));
  CHECK_THAT(agent.log(), Catch::Contains("portt"));
  signs_in(port);
}

TEST_CASE("SIGHUP that changes the terminal id is refused: it needs a restart", "[agent][reload]") {
  ReloadingAgent agent;
  const int port = free_loopback_port();
  agent.start(port);
  agent.write_config(free_loopback_port(), "ward3-t2");
  agent.hup();
  REQUIRE(agent.logged("config reload refused: terminal changed, which needs a restart; nothing was changed"));
  signs_in(port);  // the port change in the same file was not applied either
}

TEST_CASE("SIGHUP that revokes a badge signs it out on a connection that stays open", "[agent][reload]") {
  ReloadingAgent agent;
  const int port = free_loopback_port();
  agent.start(port);
  ScannerLink nurse(port);
  nurse.send("OP:nurse-042");
  REQUIRE(nurse.wait_for("OK hello nurse-042"));
  nurse.send("5012345670010");
  REQUIRE(nurse.wait_for("not in the local catalogue"));
  ScannerLink tech(port);
  tech.send("OP:tech-017");
  REQUIRE(tech.wait_for("OK hello tech-017"));
  agent.write_config(port, "ward3-t1", R"({"tech-017": ["issue"]})");
  agent.hup();
  REQUIRE(agent.logged("config reload: applied (rebuilt: scan rules)"));
  // Said by the scan worker, after the reload line.
  REQUIRE(
      agent.logged("badge nurse-042 is no longer known on this terminal: signed out (1 open lines cancelled, "
                   "nothing was recorded for them)"));
  nurse.send("CMD:CONFIRM");
  REQUIRE(nurse.wait_for("REFUSED scan your badge first"));
  nurse.send("OP:nurse-042");
  REQUIRE(nurse.wait_for("REFUSED badge nurse-042 is not known on this terminal"));
  tech.send("5012345670010");  // the other connection's session goes on
  REQUIRE(tech.wait_for("not in the local catalogue"));
}
