#include "central_config.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "durable_file.hpp"
#include "edgestock/config/key_rotation.hpp"
#include "edgestock/config/push.hpp"

#ifndef EDGESTOCK_VERSION
#define EDGESTOCK_VERSION "0.1.0"
#endif

namespace edgestock::agent {
namespace {

using Json = nlohmann::json;

const char* name_of(bool site) {
  return site ? "site" : "terminal";
}

}  // namespace

CentralConfig::CentralConfig(boost::asio::io_context& io, std::filesystem::path state_file, std::string config_path,
                             std::string site, std::string terminal, const storage::Clock& clock, Hooks hooks)
    : io_(io),
      state_file_(std::move(state_file)),
      config_path_(std::move(config_path)),
      site_(std::move(site)),
      terminal_(std::move(terminal)),
      clock_(clock),
      hooks_(std::move(hooks)),
      health_timer_(io) {}

std::optional<CentralConfig::Document>& CentralConfig::last_good(Scope scope) {
  return scope == Scope::site ? site_good_ : terminal_good_;
}
const std::optional<CentralConfig::Document>& CentralConfig::last_good(Scope scope) const {
  return scope == Scope::site ? site_good_ : terminal_good_;
}

std::string CentralConfig::local_file() const {
  return config::read_text_file(config_path_).value_or("");
}

std::string CentralConfig::load() {
  std::error_code error;
  if (!std::filesystem::exists(state_file_, error)) return "";
  std::ifstream in(state_file_);
  try {
    const auto json = Json::parse(in);
    for (const bool site : {true, false}) {
      if (json.contains(name_of(site)) && !json[name_of(site)].is_null()) {
        const auto& d = json[name_of(site)];
        (site ? site_good_ : terminal_good_) =
            Document{d.at("version").get<std::int64_t>(), d.at("settings").get<std::string>()};
      }
    }
    if (json.contains("keys")) {
      const auto& k = json["keys"];
      rotation_ =
          config::KeyRotation{k.at("version").get<std::int64_t>(), k.at("trusted_keys").get<std::vector<std::string>>(),
                              k.at("retired").get<std::vector<std::string>>()};
    }
    site_rolled_back_ = json.value("site_rolled_back", std::int64_t{0});
    terminal_rolled_back_ = json.value("terminal_rolled_back", std::int64_t{0});
  } catch (const Json::exception& e) {
    site_good_.reset();
    terminal_good_.reset();
    rotation_ = {};
    return state_file_.string() + " cannot be read (" + e.what() + "): the local file alone is used";
  }
  return "";
}

std::vector<std::string> CentralConfig::pushed(std::optional<std::pair<Scope, std::string>> replaced) const {
  std::vector<std::string> layers;
  for (const Scope scope : {Scope::site, Scope::terminal}) {
    if (replaced && replaced->first == scope) {
      layers.push_back(replaced->second);
    } else if (const auto& good = last_good(scope)) {
      layers.push_back(good->settings);
    }
  }
  return layers;
}

std::expected<config::Settings, config::Problems> CentralConfig::effective(const std::string& local) const {
  return config::settings_with_pushes(local, pushed());
}

std::string CentralConfig::persist() const {
  Json json;
  for (const Scope scope : {Scope::site, Scope::terminal}) {
    const auto& good = last_good(scope);
    json[name_of(scope == Scope::site)] =
        good ? Json{{"version", good->version}, {"settings", good->settings}} : Json(nullptr);
  }
  json["site_rolled_back"] = site_rolled_back_;
  json["terminal_rolled_back"] = terminal_rolled_back_;
  if (rotation_.version > 0) {
    json["keys"] = {
        {"version", rotation_.version}, {"trusted_keys", rotation_.trusted_keys}, {"retired", rotation_.retired}};
  }
  if (pending_) {
    json["pending"] = {{"scope", name_of(pending_->scope == Scope::site)},
                       {"version", pending_->document.version},
                       {"settings", pending_->document.settings}};
  }
  return write_durably(state_file_, json.dump(2));
}

void CentralConfig::report(const std::string& status, std::int64_t version, const std::vector<std::string>& reasons,
                           bool unsigned_dev) {
  auto version_of = [this](Scope scope) { return last_good(scope) ? Json(last_good(scope)->version) : Json(nullptr); };
  Json state{{"terminal", terminal_},
             {"status", status},
             {"version", version},
             {"reasons", reasons},
             {"last_good", {{"site", version_of(Scope::site)}, {"terminal", version_of(Scope::terminal)}}},
             {"pending", pending_ ? Json(pending_->document.version) : Json(nullptr)},
             {"settings_hash", config::effective_settings_hash(local_file(), pushed())},
             {"keys_version", rotation_.version},
             {"at_ms", clock_.now_ms()}};
  if (unsigned_dev) state["unsigned_accepted"] = true;
  state_ = state.dump();
  hooks_.publish_state(state_);
}

config::CentralSettings CentralConfig::trusted(config::CentralSettings local) const {
  local.trusted_keys = config::effective_trusted_keys(local.trusted_keys, rotation_);
  return local;
}

void CentralConfig::on_message(const sync::ConfigMessage& message) {
  if (message.topic.ends_with("/keys")) {
    if (message.oversized) {
      hooks_.audit("keys_refused", message.topic + ": " + std::to_string(message.size) + " bytes, over the cap");
      report("keys_refused", 0,
             {"the key rotation is " + std::to_string(message.size) + " bytes, over central.max_push_bytes"});
    } else if (!message.payload.empty()) {
      handle_keys(message.payload);
    }
    return;
  }
  const std::string prefix_site = "/" + site_ + "/config";
  const std::string prefix_terminal = "/" + site_ + "/" + terminal_ + "/config";
  const Scope scope = message.topic.ends_with(prefix_terminal) ? Scope::terminal : Scope::site;
  if (!message.topic.ends_with(prefix_terminal) && !message.topic.ends_with(prefix_site)) return;
  if (message.oversized) {
    hooks_.audit("config_refused", message.topic + ": " + std::to_string(message.size) + " bytes, over the cap");
    report("refused", 0, {"the document is " + std::to_string(message.size) + " bytes, over central.max_push_bytes"});
    return;
  }
  if (message.payload.empty()) return;  // a retained document cleared by central IT
  if (pending_) {
    queued_.emplace_back(scope, message.payload);  // after the push being checked
    return;
  }
  handle(scope, message.payload);
}

void CentralConfig::handle(Scope scope, const std::string& payload) {
  const auto local = local_file();
  const auto settings = config::parse_settings(local);
  if (!settings) {
    report("refused", 0, {"the terminal's own file " + config_path_ + " is invalid: " + settings.error().front()});
    return;
  }
  config::PushContext context;
  context.site = site_;
  context.terminal = terminal_;
  context.agent_version = EDGESTOCK_VERSION;
  // A version rolled back counts as seen: its retained copy is not tried again.
  context.applied_version = std::max(last_good(scope) ? last_good(scope)->version : 0,
                                     scope == Scope::site ? site_rolled_back_ : terminal_rolled_back_);
  context.now_s = clock_.now_ms() / 1000;
  context.central = trusted(settings->central);
  context.local_file = local;
  const auto verdict = config::check_push(payload, context);
  const auto what = std::string(name_of(scope == Scope::site)) + " config version " + std::to_string(verdict.version);
  if (verdict.outcome == config::PushVerdict::Outcome::already_applied) return;  // the retained one, again
  if (verdict.outcome == config::PushVerdict::Outcome::refused) {
    std::string detail = what;
    for (const auto& p : verdict.problems) detail += "; " + p;
    hooks_.audit("config_refused", detail);
    hooks_.log("central config: refused " + detail);
    report("refused", verdict.version, verdict.problems);
    return;
  }
  hooks_.audit("config_received", what);
  const auto next = config::settings_with_pushes(local, pushed(std::pair{scope, verdict.settings}));
  if (!next) {
    report("refused", verdict.version, next.error());
    return;
  }
  pending_ = Pending{scope, Document{verdict.version, verdict.settings}, clock_.now_ms(),
                     std::int64_t{settings->central.health_window_s} * 1000};
  if (auto problem = persist(); !problem.empty()) {
    pending_.reset();
    report("refused", verdict.version, {"not applied: " + problem});
    return;
  }
  const auto said = hooks_.apply(*next);
  if (said.starts_with("config reload refused")) {
    pending_.reset();
    (void)persist();
    hooks_.audit("config_refused", what + "; " + said);
    hooks_.log("central config: " + what + ": " + said);
    report("refused", verdict.version, {said});
    return;
  }
  hooks_.log("central config: " + what + " applied (" + said + "); checking its health");
  report("checking", verdict.version, {}, verdict.unsigned_accepted);
  watch_health();
}

// A key rotation takes effect at once: it changes whom later documents must
// be signed by, nothing that runs.
void CentralConfig::handle_keys(const std::string& payload) {
  const auto settings = config::parse_settings(local_file());
  if (!settings) {
    report("keys_refused", 0, {"the terminal's own file " + config_path_ + " is invalid: " + settings.error().front()});
    return;
  }
  config::RotationContext context;
  context.site = site_;
  context.terminal = terminal_;
  context.now_s = clock_.now_ms() / 1000;
  context.central = settings->central;
  context.applied = rotation_;
  const auto verdict = config::check_key_rotation(payload, context);
  if (verdict.outcome == config::RotationVerdict::Outcome::already_applied) return;
  const auto what = "key rotation " + std::to_string(verdict.rotation.version);
  if (verdict.outcome == config::RotationVerdict::Outcome::refused) {
    std::string detail = what;
    for (const auto& p : verdict.problems) detail += "; " + p;
    hooks_.audit("keys_refused", detail);
    hooks_.log("central config: refused " + detail);
    report("keys_refused", verdict.rotation.version, verdict.problems);
    return;
  }
  const auto before = rotation_;
  rotation_ = verdict.rotation;
  if (auto problem = persist(); !problem.empty()) {
    rotation_ = before;
    report("keys_refused", verdict.rotation.version, {"not applied: " + problem});
    return;
  }
  std::string detail = what + ": " + std::to_string(rotation_.trusted_keys.size()) + " keys added, retired";
  for (const auto& id : rotation_.retired) detail += " " + id;
  if (rotation_.retired.empty()) detail += " none";
  hooks_.audit("keys_rotated", detail);
  hooks_.log("central config: " + detail);
  report("keys_rotated", rotation_.version, {});
}

// Healthy as soon as every check passes; not healthy by the end of the
// window: rolled back. Looked at once a second during the window only.
void CentralConfig::watch_health() {
  const auto problem = hooks_.health_problem(pending_->started_ms);
  if (problem.empty()) return settle("");
  if (clock_.now_ms() - pending_->started_ms >= pending_->window_ms) return settle(problem);
  health_timer_.expires_after(std::chrono::seconds(1));
  health_timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error && pending_) watch_health();
  });
}

void CentralConfig::settle(const std::string& problem) {
  const auto done = *pending_;
  const auto what =
      std::string(name_of(done.scope == Scope::site)) + " config version " + std::to_string(done.document.version);
  pending_.reset();
  if (problem.empty()) {
    last_good(done.scope) = done.document;
    if (auto failed = persist(); !failed.empty()) hooks_.log("central config: " + failed);
    hooks_.audit("config_applied", what);
    report("applied", done.document.version, {});
  } else {
    // Back to what worked: the local file and the last-good documents.
    (done.scope == Scope::site ? site_rolled_back_ : terminal_rolled_back_) = done.document.version;
    (void)persist();
    const auto back = effective(local_file());
    if (back) hooks_.apply(*back);
    hooks_.audit("config_rolled_back", what + "; " + problem);
    hooks_.log("central config: " + what + " rolled back: " + problem);
    report("rolled_back", done.document.version, {problem});
  }
  boost::asio::post(io_, [this] { drain_queue(); });
}

void CentralConfig::drain_queue() {
  while (!pending_ && !queued_.empty()) {
    const auto [scope, payload] = queued_.front();
    queued_.erase(queued_.begin());
    handle(scope, payload);
  }
}

}  // namespace edgestock::agent
