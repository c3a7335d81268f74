#include "central_commands.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "durable_file.hpp"
#include "edgestock/config/central_command.hpp"

namespace edgestock::agent {

using Json = nlohmann::json;

CentralCommands::CentralCommands(std::filesystem::path nonce_file, std::string site, std::string terminal,
                                 const storage::Clock& clock, Hooks hooks)
    : nonce_file_(std::move(nonce_file)),
      site_(std::move(site)),
      terminal_(std::move(terminal)),
      clock_(clock),
      hooks_(std::move(hooks)) {}

std::string CentralCommands::load() {
  std::error_code error;
  if (!std::filesystem::exists(nonce_file_, error)) return "";
  std::ifstream in(nonce_file_);
  try {
    const auto json = Json::parse(in);  // kept: the loop below reads into it
    for (const auto& [nonce, expires] : json.at("nonces").items()) nonces_[nonce] = expires.get<std::int64_t>();
  } catch (const Json::exception& e) {
    nonces_readable_ = false;
    return nonce_file_.string() + " cannot be read (" + e.what() +
           "): commands are refused until it is removed, so a replay cannot slip through";
  }
  return "";
}

std::string CentralCommands::persist() const {
  return write_durably(nonce_file_, Json{{"nonces", nonces_}}.dump(1));
}

void CentralCommands::answer(const std::string& command, const std::string& nonce, const std::string& status,
                             const std::vector<std::string>& reasons, const std::string& result_json) {
  Json ack{{"terminal", terminal_}, {"command", command}, {"nonce", nonce},
           {"status", status},      {"reasons", reasons}, {"at_ms", clock_.now_ms()}};
  try {
    ack["result"] = Json::parse(result_json);
  } catch (const Json::exception&) {
    ack["result"] = result_json;
  }
  if (!hooks_.ack(ack.dump())) hooks_.log("central command: the answer to " + command + " could not be sent (offline)");
}

void CentralCommands::on_message(const sync::ConfigMessage& message) {
  if (message.payload.empty() && !message.oversized) return;
  auto refuse = [this](const std::string& command, const std::string& nonce, const std::vector<std::string>& why) {
    std::string detail = command.empty() ? std::string("a command") : command;
    for (const auto& reason : why) detail += "; " + reason;
    hooks_.audit("command_refused", detail);
    hooks_.log("central command refused: " + detail);
    answer(command, nonce, "refused", why);
  };
  if (message.oversized) {
    return refuse("", "", {"the command is " + std::to_string(message.size) + " bytes, over central.max_push_bytes"});
  }
  const auto central = hooks_.central();
  if (!central) return refuse("", "", {central.error()});
  if (!nonces_readable_) return refuse("", "", {nonce_file_.string() + " cannot be read: every command is refused"});
  config::CommandContext context;
  context.site = site_;
  context.terminal = terminal_;
  context.now_s = clock_.now_ms() / 1000;
  context.central = *central;
  nonces_ = config::unexpired_nonces(std::move(nonces_), context.now_s);
  context.nonces = nonces_;
  const auto verdict = config::check_central_command(message.payload, context);
  if (!verdict.accepted) return refuse(verdict.command, verdict.nonce, verdict.problems);
  // Remembered before it runs: a crash after this line loses the command,
  // never lets its recording run it a second time.
  nonces_[verdict.nonce] = verdict.expires_at;
  if (auto problem = persist(); !problem.empty()) {
    nonces_.erase(verdict.nonce);
    return refuse(verdict.command, verdict.nonce, {"its nonce cannot be remembered: " + problem});
  }
  std::string signer = verdict.unsigned_accepted ? "UNSIGNED (central.allow_unsigned)" : "";
  for (const auto& id : verdict.signed_by) signer += (signer.empty() ? "" : ", ") + id;
  hooks_.audit("command_received", verdict.command + " " + verdict.nonce + ", signed by " + signer);
  hooks_.log("central command: " + verdict.command + " (" + verdict.nonce + ")");
  auto done = [this, command = verdict.command, nonce = verdict.nonce](const Result& result) {
    hooks_.audit(result.failed ? "command_failed" : "command_done", command + " " + nonce);
    if (result.failed) {
      const auto why = Json::parse(result.json, nullptr, false);
      answer(command, nonce, "failed", {why.is_string() ? why.get<std::string>() : result.json});
    } else {
      answer(command, nonce, "done", {}, result.json);
    }
  };
  if (verdict.command == "resync") {
    hooks_.resync(std::move(done));
  } else if (verdict.command == "replay") {
    hooks_.replay(std::move(done));
  } else {
    hooks_.report(std::move(done));
  }
}

}  // namespace edgestock::agent
