#include "doctor.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <mqtt/client.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "edgestock/config/secret_file.hpp"
#include "edgestock/config/settings.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/clock.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/odoo_client.hpp"
#include "ledger_settings.hpp"

namespace edgestock::agent {
namespace {

using Json = nlohmann::json;

// One line per check: "ok", or "PROBLEM" with what to do.
class Findings {
 public:
  Findings(std::ostream& out, bool json) : out_(out), json_(json) {}
  void ok(const std::string& check, const std::string& detail) { add(check, true, detail, ""); }
  void problem(const std::string& check, const std::string& detail, const std::string& fix) {
    add(check, false, detail, fix);
  }
  [[nodiscard]] bool any_problem() const { return problems_ > 0; }
  void finish() {
    if (json_) out_ << all_.dump() << "\n";
    if (!json_) out_ << (problems_ == 0 ? "all checks passed\n" : std::to_string(problems_) + " problem(s)\n");
  }

 private:
  void add(const std::string& check, bool passed, const std::string& detail, const std::string& fix) {
    problems_ += passed ? 0 : 1;
    if (json_) {
      all_.push_back({{"check", check}, {"ok", passed}, {"detail", detail}, {"fix", fix}});
      return;
    }
    out_ << (passed ? "ok       " : "PROBLEM  ") << check << ": " << detail << "\n";
    if (!fix.empty()) out_ << "         fix: " << fix << "\n";
  }
  std::ostream& out_;
  bool json_;
  int problems_ = 0;
  Json all_ = Json::array();
};

void check_files(const config::Settings& s, Findings& f) {
  const std::filesystem::path ledger = s.ledger.path;
  struct stat info {};
  if (::stat(ledger.c_str(), &info) != 0) {
    f.problem("ledger file", ledger.string() + " does not exist",
              "start the agent once (systemctl start edgestock): it creates the ledger");
    return;
  }
  if ((info.st_mode & 0077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(info.st_mode & 0777));
    f.problem("ledger file", ledger.string() + " can be read by other users (mode " + mode + ")",
              "chmod 600 " + ledger.string() + " (it holds every move and the encounters they were for)");
  } else {
    f.ok("ledger file", ledger.string() + " is readable by its owner only");
  }
  if (::access(ledger.parent_path().c_str(), W_OK) != 0) {
    f.problem("ledger folder", ledger.parent_path().string() + " is not writable by this user",
              "run as the service user (sudo -u edgestock edgestock doctor) or fix the folder's owner");
  }
  for (const auto& [key, file] : {std::pair<std::string, std::string>{"mqtt.password_file", s.mqtt.password_file},
                                  {"odoo.api_key_file", s.odoo.api_key_file}}) {
    if (file.empty()) continue;
    if (const auto secret = config::read_secret_file(key, file); !secret) {
      f.problem(key, secret.error(), "chmod 600 " + file + " and chown it to the service user");
    } else {
      f.ok(key, file + " is private");
    }
  }
}

void check_ledger(const config::Settings& s, const storage::Clock& clock, Findings& f) {
  auto ledger = storage::Ledger::open(ledger_options(s, true), clock);
  if (!ledger) {
    f.problem("ledger", ledger.error().message, "see docs/operations.md, Messages and what to do");
    return;
  }
  const auto damage = (*ledger)->check_integrity();
  const auto audit = (*ledger)->audit().verify();
  if (!damage.empty()) {
    f.problem("ledger", "damaged: " + damage.front(),
              "stop the agent, keep a copy of the file, and restore from the last backup (docs/ledger.md)");
  } else if (!audit.intact()) {
    f.problem("audit chain", "broken at entry " + std::to_string(*audit.first_broken) + ": " + audit.reason,
              "the ledger was changed outside edgestock: tell IT security before anything else");
  } else {
    f.ok("ledger", std::to_string((*ledger)->last_seq().value) + " moves, audit chain of " +
                       std::to_string(audit.entries_checked) + " entries intact");
  }
}

// Connects under an id of its own (never the agent's: that would take over its
// session), publishes to a doctor topic of this terminal and reads it back.
void check_broker(const config::Settings& s, Findings& f) {
  if (!s.mqtt.enabled) return;
  const auto topic = s.mqtt.prefix + "/" + s.site + "/" + s.terminal + "/doctor";
  try {
    mqtt::client client(s.mqtt.broker, s.terminal + "-doctor-" + std::to_string(::getpid()),
                        mqtt::create_options(s.mqtt.version == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1));
    mqtt::connect_options options;
    options.set_connect_timeout(5);
    options.set_clean_session(true);
    if (s.mqtt.version == 5) options.set_mqtt_version(MQTTVERSION_5);
    if (!s.mqtt.username.empty()) options.set_user_name(s.mqtt.username);
    if (!s.mqtt.password_file.empty()) {
      if (const auto password = config::read_secret_file("mqtt.password_file", s.mqtt.password_file); password) {
        options.set_password(*password);
      }
    }
    if (config::broker_uses_tls(s.mqtt.broker)) {
      mqtt::ssl_options ssl;
      if (!s.mqtt.tls.ca_file.empty()) ssl.set_trust_store(s.mqtt.tls.ca_file);
      if (!s.mqtt.tls.cert_file.empty()) ssl.set_key_store(s.mqtt.tls.cert_file);
      if (!s.mqtt.tls.key_file.empty()) ssl.set_private_key(s.mqtt.tls.key_file);
      ssl.set_enable_server_cert_auth(s.mqtt.tls.verify);
      ssl.set_verify(s.mqtt.tls.verify);
      options.set_ssl(std::move(ssl));
    }
    client.connect(options);
    client.start_consuming();
    client.subscribe(topic, 1);
    const auto sent_at = std::chrono::steady_clock::now();
    client.publish(mqtt::make_message(topic, "doctor", 1, false));
    mqtt::const_message_ptr echo;
    const bool back =
        client.try_consume_message_for(&echo, std::chrono::seconds(5)) && echo && echo->get_payload_str() == "doctor";
    client.disconnect();
    if (!back) {
      f.problem("broker", s.mqtt.broker + " took the publish to " + topic + " but did not deliver it back",
                "let this terminal read and write " + s.mqtt.prefix + "/" + s.site + "/" + s.terminal +
                    "/# in the broker's ACL (packaging/mosquitto-edgestock.acl)");
      return;
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent_at);
    f.ok("broker", s.mqtt.broker + ": connected, published and received on " + topic + " in " +
                       std::to_string(ms.count()) + " ms");
  } catch (const mqtt::exception& error) {
    f.problem("broker", s.mqtt.broker + ": " + error.what(),
              "check mqtt.broker, the network, the user and password, and for ssl:// mqtt.tls.ca_file");
  }
}

// The login, Odoo's version and protocol, read access to every model the
// agent reads, and the clock against Odoo's.
void check_odoo(const config::Settings& s, storage::Clock& clock, Findings& f) {
  if (!s.odoo.enabled) return;
  const auto key = config::read_secret_file("odoo.api_key_file", s.odoo.api_key_file);
  if (!key) return;  // said by check_files
  sync::OdooClient odoo(s.odoo, *key);
  storage::ClockCheck skew;
  odoo.on_server_time([&skew](std::int64_t at) { skew.observe("Odoo", at); });
  const auto login = odoo.connect();
  if (!login.ok()) {
    f.problem("odoo", s.odoo.url + ": " + login.message,
              "check odoo.url, odoo.database, odoo.login and the API key (Odoo: Preferences > Account Security)");
    return;
  }
  f.ok("odoo", s.odoo.url + ": Odoo " + std::to_string(odoo.server_major_version()) + " over " +
                   (odoo.protocol() == sync::OdooProtocol::json2 ? "JSON-2" : "JSON-RPC") + " as " + s.odoo.login);
  std::string unreadable;
  for (const char* model : {"product.product", "stock.lot", "stock.location", "stock.quant", "stock.picking",
                            "stock.move", "stock.move.line", "stock.warehouse.orderpoint"}) {
    const auto reply = odoo.call(model, "search_count", R"({"domain": []})");
    if (!reply.ok()) unreadable += std::string(unreadable.empty() ? "" : ", ") + model + " (" + reply.message + ")";
  }
  if (unreadable.empty()) {
    f.ok("odoo rights", s.odoo.login + " can read every model the agent reads");
  } else {
    f.problem("odoo rights", s.odoo.login + " cannot read " + unreadable,
              "give the user Inventory / User rights in Odoo (docs/odoo.md lists what it needs)");
  }
  if (const auto problem = skew.problem(clock.now_ms()); !problem.empty()) {
    f.problem("clock", problem, "set the terminal's clock (timedatectl set-ntp true)");
  } else {
    f.ok("clock", "within " + std::to_string(storage::kMaxClockSkewMs / 60'000) + " min of Odoo's");
  }
}

void check_scanners(const config::Settings& s, Findings& f) {
  for (const auto& [name, device] : {std::pair<std::string, std::string>{"serial scanner", s.scanners.serial_device},
                                     {"USB HID scanner", s.scanners.hid_device}}) {
    if (device.empty()) continue;
    if (::access(device.c_str(), R_OK) != 0) {
      f.problem(
          name,
          device + " cannot be read by this user (" + std::error_code(errno, std::generic_category()).message() + ")",
          "plug the scanner in, and check the service user is in the dialout (serial) or input (HID) group");
    } else {
      f.ok(name, device + " is there and readable");
    }
  }
  if (!s.scanners.unix_socket.empty()) {
    const auto folder = std::filesystem::path(s.scanners.unix_socket).parent_path();
    if (::access(folder.c_str(), W_OK) != 0) {
      f.problem("unix scanner socket", folder.string() + " is not writable: the agent cannot make its socket there",
                "use /run/edgestock/scan.sock (RuntimeDirectory of the unit)");
    } else {
      f.ok("unix scanner socket", s.scanners.unix_socket);
    }
  }
}

}  // namespace

int run_doctor(const Command& command, std::ostream& out, std::ostream& err) {
  const auto settings = config::load_settings_file(command.config_path);
  Findings findings(out, command.json);
  if (!settings) {
    for (const auto& problem : settings.error()) {
      findings.problem("config", problem, "edgestock config check " + command.config_path + " shows each on its line");
    }
    findings.finish();
    return 1;
  }
  findings.ok("config", command.config_path + " is valid");
  storage::SystemClock clock;
  if (const auto wall = storage::wall_clock_problem(clock.now_ms()); !wall.empty()) {
    findings.problem("clock", wall, "set the terminal's clock (timedatectl set-ntp true)");
  }
  check_files(*settings, findings);
  check_ledger(*settings, clock, findings);
  check_broker(*settings, findings);
  check_odoo(*settings, clock, findings);
  check_scanners(*settings, findings);
  findings.finish();
  (void)err;
  return findings.any_problem() ? 1 : 0;
}

}  // namespace edgestock::agent
