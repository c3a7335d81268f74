// GS1 identifiers through the real process: a caregiver's GSRN badge, a GS1
// location label and a patient's wristband at a TCP scanner. The patient's
// GSRN (AI 8018) becomes the move's encounter reference only through
// HMAC-SHA-256 with the site's secret: it is in no event on MQTT, no log
// line, no answer and no byte of the ledger.
#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>

#include "../sync/mqtt_helpers.hpp"
#include "agent_process.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "scan_agent_config.hpp"
#include "scanner_link.hpp"

using namespace edgestock;
using namespace edgestock::testing;
using namespace std::chrono_literals;

namespace {
constexpr const char* kPatientGsrn = "950600013435000028";
// HMAC-SHA-256(key "ward-3-site-secret", "950600013435000028"), first 16
// bytes, computed with Python's hmac module when this test was written.
constexpr const char* kEncounter = "gsrn-hmac:4200a2e6e4519aff6a335781f5ce540d";

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("a patient's wristband: issued to the patient by keyed hash, the number kept nowhere", "[agent][mqtt][gs1]") {
  MosquittoBroker broker;
  Subscriber central(broker.uri(), "pharmacy-desk", "edgestock/#");
  TempDir dir("agent-wristband");
  {
    storage::SystemClock clock;
    auto ledger = open_ledger(dir / "ledger.db", clock);
    REQUIRE(ledger->catalogue().upsert(storage::Product{101, "Gloves M", "5012345670010", "GLV-M",
                                                        storage::UnitOfMeasure("Units"), "none", true, ""}));
  }
  std::ofstream(dir / "encounter.key") << "ward-3-site-secret\n";
  ::chmod((dir / "encounter.key").c_str(), 0600);
  const int scan_port = free_loopback_port();
  write_scan_agent_config(dir.path(), broker.uri(), scan_port,
                          R"({"operators": {"950600013435000011": ["issue"]},
                              "gln_locations": {"9506000134352/SHELF-3": "WARD3"},
                              "encounter_key_file": ")" +
                              (dir / "encounter.key").string() + R"("})");
  const pid_t agent = start_agent(dir / "edgestock.json", dir / "agent.log");
  REQUIRE(wait_until([&] { return accepts_connections(scan_port); }, 20s));
  {
    ScannerLink scanner(scan_port);
    scanner.send("]d28017950600013435000011");  // the nurse's GSRN badge
    REQUIRE(scanner.wait_for("OK hello 950600013435000011; scan a location"));
    scanner.send("]d24149506000134352254SHELF-3");  // 414 has a predefined length: no FNC1
    REQUIRE(scanner.wait_for("OK location WARD3"));
    scanner.send(std::string("]d28018") + kPatientGsrn);
    REQUIRE(scanner.wait_for("OK patient wristband read: the next items are issued to this patient"));
    scanner.send("5012345670010");
    scanner.send("CMD:CONFIRM");
    REQUIRE(scanner.wait_for("OK recorded #1 issue 1 Units"));
  }
  auto events = [&] {
    std::vector<Received> found;
    for (const auto& m : central.messages()) {
      if (m.topic.ends_with("/events")) found.push_back(m);
    }
    return found;
  };
  REQUIRE(wait_until([&] { return !events().empty(); }, 20s));
  const auto event = nlohmann::json::parse(events().at(0).payload);
  CHECK(event["encounter"] == kEncounter);
  CHECK(event["operator"] == "950600013435000011");
  CHECK(event["from"] == "WARD3");

  ::kill(agent, SIGTERM);
  int status = 0;
  ::waitpid(agent, &status, 0);
  CHECK(WIFEXITED(status));
  for (const auto& m : central.messages()) CHECK(m.payload.find(kPatientGsrn) == std::string::npos);
  CHECK(file_bytes(dir / "agent.log").find(kPatientGsrn) == std::string::npos);
  {
    storage::SystemClock clock;
    auto ledger = open_ledger(dir / "ledger.db", clock);
    const auto scans = ledger->recent_scans(10).value();
    REQUIRE(scans.size() == 5);
    CHECK(scans[2].raw == "[a patient's wristband: its data is not kept]");
    CHECK(scans[2].outcome == "ok: patient wristband read: the next items are issued to this patient");
  }
  // Not in the database file, its WAL or anything beside them.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename() == "edgestock.json") continue;
    INFO(entry.path());
    CHECK(file_bytes(entry.path()).find(kPatientGsrn) == std::string::npos);
  }
}
