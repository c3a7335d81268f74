#include "fleet_command.hpp"

#include <unistd.h>

#include <mqtt/client.h>
#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "edgestock/config/central_command.hpp"
#include "edgestock/config/key_rotation.hpp"
#include "edgestock/config/push.hpp"
#include "edgestock/config/secret_file.hpp"
#include "edgestock/config/settings.hpp"

namespace edgestock::agent {
namespace {

using Json = nlohmann::json;

// A short-lived connection of central IT's own (clean session, its own id).
std::expected<std::unique_ptr<mqtt::client>, std::string> connect(const Command& c) {
  const bool clear = !config::broker_uses_tls(c.broker);
  if (!c.password_file.empty() && clear && !config::is_loopback_host(config::host_of(c.broker))) {
    return std::unexpected(c.broker + " would carry the broker password unencrypted; use ssl://host:8883");
  }
  try {
    auto client = std::make_unique<mqtt::client>(c.broker, "edgestock-cli-" + std::to_string(::getpid()));
    mqtt::connect_options options;
    options.set_clean_session(true);
    options.set_connect_timeout(10);
    if (!c.username.empty()) options.set_user_name(c.username);
    if (!c.password_file.empty()) {
      const auto password = config::read_secret_file("--password-file", c.password_file);
      if (!password) return std::unexpected(password.error());
      options.set_password(*password);
    }
    if (!clear) {
      mqtt::ssl_options ssl;
      if (!c.ca_file.empty()) ssl.set_trust_store(c.ca_file);
      ssl.set_enable_server_cert_auth(true);
      ssl.set_verify(true);
      options.set_ssl(std::move(ssl));
    }
    client->connect(options);
    return client;
  } catch (const mqtt::exception& error) {
    return std::unexpected("cannot reach the broker " + c.broker + ": " + error.what());
  }
}

std::string kind_of(const Json& d) {
  if (d.contains("command")) return "command";
  if (d.contains("trusted_keys") || d.contains("retired")) return "keys";
  return "config";
}

}  // namespace

std::string document_kind(const std::string& document) {
  const auto d = Json::parse(document, nullptr, false);
  return d.is_object() ? kind_of(d) : "config";
}

std::expected<PublishTarget, std::string> publish_target(const std::string& document, const std::string& prefix,
                                                         const std::string& site, const std::string& terminal) {
  const auto d = Json::parse(document, nullptr, false);
  if (d.is_discarded() || !d.is_object()) return std::unexpected("the document is not a JSON object");
  PublishTarget target{kind_of(d), "", true};
  if (target.kind == "keys") {
    target.topic = prefix + "/keys";
    return target;
  }
  const auto& aim = d.contains("target") ? d["target"] : Json();
  std::string to_site = site;
  std::string to_terminal = terminal;
  if (aim.is_object() && aim.contains("site") && aim["site"].is_string()) {
    if (!site.empty() && site != aim["site"].get<std::string>()) {
      return std::unexpected("--site " + site + " but the document targets site " + aim["site"].get<std::string>());
    }
    to_site = aim["site"].get<std::string>();
    if (to_terminal.empty() && aim.contains("terminals") && aim["terminals"].is_array() &&
        aim["terminals"].size() == 1 && aim["terminals"][0].is_string()) {
      to_terminal = aim["terminals"][0].get<std::string>();
    }
  }
  if (to_site.empty()) return std::unexpected("the document targets no site: say which with --site");
  if (target.kind == "command") {
    if (to_terminal.empty()) return std::unexpected("a command goes to one terminal: say which with --terminal");
    target.topic = prefix + "/" + to_site + "/" + to_terminal + "/cmd";
    target.retained = false;
  } else {
    target.topic = prefix + "/" + to_site + (to_terminal.empty() ? "" : "/" + to_terminal) + "/config";
  }
  return target;
}

int run_config_publish(const Command& c, std::ostream& out, std::ostream& err) {
  auto document = config::read_text_file(c.file);
  if (!document) {
    err << "edgestock config publish: cannot read " << c.file << "\n";
    return 1;
  }
  const auto target = publish_target(*document, c.prefix, c.site, c.terminal);
  if (!target) {
    err << "edgestock config publish: " << c.file << ": " << target.error() << "\n";
    return 1;
  }
  if (!c.key_file.empty()) {
    const auto key = config::read_secret_file("--key", c.key_file);
    if (!key) {
      err << "edgestock config publish: " << key.error() << "\n";
      return 1;
    }
    const auto signed_document = target->kind == "keys"      ? config::sign_key_rotation(*document, *key)
                                 : target->kind == "command" ? config::sign_central_command(*document, *key)
                                                             : config::sign_push(*document, *key);
    if (!signed_document) {
      err << "edgestock config publish: " << c.file << ": " << signed_document.error() << "\n";
      return 1;
    }
    document = *signed_document;
  }
  if (const auto d = Json::parse(*document); !d.contains("signatures") || d["signatures"].empty()) {
    err << "edgestock config publish: " << c.file
        << " is not signed (give --key): terminals refuse it unless central.allow_unsigned is set\n";
    return 1;
  }
  auto client = connect(c);
  if (!client) {
    err << "edgestock config publish: " << client.error() << "\n";
    return 1;
  }
  try {
    (*client)->publish(mqtt::make_message(target->topic, *document, 1, target->retained));
    (*client)->disconnect();
  } catch (const mqtt::exception& error) {
    err << "edgestock config publish: the broker did not take it: " << error.what() << "\n";
    return 1;
  }
  out << "published the " << target->kind << " document to " << target->topic << (target->retained ? " (retained)" : "")
      << "\n";
  return 0;
}

// Reads retained states until the broker has been quiet for a moment: all
// retained messages arrive at once after the subscription.
int run_config_status(const Command& c, std::ostream& out, std::ostream& err) {
  if (c.site.empty()) {
    err << "edgestock config status: say which site with --site\n";
    return 1;
  }
  auto client = connect(c);
  if (!client) {
    err << "edgestock config status: " << client.error() << "\n";
    return 1;
  }
  std::map<std::string, Json> states;
  try {
    (*client)->start_consuming();
    (*client)->subscribe(c.prefix + "/" + c.site + "/+/config/state", 1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(c.wait_ms);
    mqtt::const_message_ptr message;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!(*client)->try_consume_message_for(&message, std::chrono::milliseconds(500))) {
        if (!states.empty()) break;  // quiet after the retained burst
        continue;
      }
      if (!message || message->get_payload().size() > 65'536) continue;
      const auto state = Json::parse(message->get_payload_str(), nullptr, false);
      if (state.is_object() && state.contains("terminal") && state["terminal"].is_string()) {
        states[state["terminal"].get<std::string>()] = state;
      }
    }
    (*client)->disconnect();
  } catch (const mqtt::exception& error) {
    err << "edgestock config status: " << error.what() << "\n";
    return 1;
  }
  if (states.empty()) {
    err << "edgestock config status: no terminal of site " << c.site << " has reported a config state on " << c.broker
        << "\n";
    return 1;
  }
  auto text = [](const Json& v) {
    return v.is_null() ? std::string("-") : v.is_string() ? v.get<std::string>() : v.dump();
  };
  out << "terminal          status        version  last-good(site/terminal)  keys  settings hash  reasons\n";
  for (const auto& [terminal, s] : states) {
    const auto good = s.value("last_good", Json::object());
    // Each value padded to its column, one space at least.
    auto pad = [](const std::string& value, std::size_t width) {
      return value + std::string(value.size() < width ? width - value.size() : 1, ' ');
    };
    std::string line = pad(terminal, 18) + pad(s.value("status", "?"), 14) + pad(text(s.value("version", Json())), 9) +
                       pad(text(good.value("site", Json())) + "/" + text(good.value("terminal", Json())), 26) +
                       pad(text(s.value("keys_version", Json())), 6) +
                       pad(s.value("settings_hash", std::string("-")).substr(0, 12), 15);
    for (const auto& reason : s.value("reasons", Json::array())) line += text(reason) + "; ";
    if (s.value("unsigned_accepted", false)) line += "UNSIGNED PUSHES ACCEPTED (development)";
    out << line << "\n";
  }
  return 0;
}

}  // namespace edgestock::agent
