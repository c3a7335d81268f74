#include "config_command.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "edgestock/config/central_command.hpp"
#include "edgestock/config/key_rotation.hpp"
#include "edgestock/config/push.hpp"
#include "edgestock/config/schema.hpp"
#include "edgestock/config/secret_file.hpp"
#include "edgestock/config/settings.hpp"
#include "edgestock/config/signing.hpp"
#include "fleet_command.hpp"

#ifndef EDGESTOCK_VERSION
#define EDGESTOCK_VERSION "0.1.0"
#endif

namespace edgestock::agent {
namespace {

// Written only if it does not exist yet, with the given mode from the start.
bool write_new(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return false;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

int keygen(const Command& command, std::ostream& out, std::ostream& err) {
  const auto key = config::generate_signing_key();
  if (!key) {
    err << "edgestock config keygen: " << key.error() << "\n";
    return 1;
  }
  const auto private_path = command.out_prefix + ".key";
  const auto public_path = command.out_prefix + ".pub";
  if (std::filesystem::exists(private_path) || std::filesystem::exists(public_path)) {
    err << "edgestock config keygen: " << private_path << " or " << public_path
        << " exists already; a key is never overwritten\n";
    return 1;
  }
  if (!write_new(private_path, key->private_key + "\n", 0600) ||
      !write_new(public_path, key->public_key + "\n", 0644)) {
    err << "edgestock config keygen: cannot write " << private_path << " and " << public_path << "\n";
    return 1;
  }
  out << "private key: " << private_path << " (0600: keep it off the terminals)\n"
      << "public key:  " << public_path << ", key id " << config::key_id(key->public_key) << "\n"
      << "trust it on a terminal with \"central\": {\"trusted_keys\": [\"" << key->public_key << "\"]}\n";
  return 0;
}

int sign(const Command& command, std::ostream& out, std::ostream& err) {
  const auto document = config::read_text_file(command.file);
  if (!document) {
    err << "edgestock config sign: cannot read " << command.file << "\n";
    return 1;
  }
  // The private key file is refused if anyone but its owner can read it.
  const auto key = config::read_secret_file("--key", command.key_file);
  if (!key) {
    err << "edgestock config sign: " << key.error() << "\n";
    return 1;
  }
  // Each kind is signed over its own domain (a push's signature is never a command's).
  const auto kind = document_kind(*document);
  const auto signed_document = kind == "keys"      ? config::sign_key_rotation(*document, *key)
                               : kind == "command" ? config::sign_central_command(*document, *key)
                                                   : config::sign_push(*document, *key);
  if (!signed_document) {
    err << "edgestock config sign: " << command.file << ": " << signed_document.error() << "\n";
    return 1;
  }
  out << *signed_document << "\n";
  return 0;
}

int verify(const Command& command, std::ostream& out, std::ostream& err) {
  const auto document = config::read_text_file(command.file);
  const auto local = config::read_text_file(command.config_path);
  if (!document || !local) {
    err << "edgestock config verify: cannot read " << (!document ? command.file : command.config_path) << "\n";
    return 1;
  }
  const auto settings = config::parse_settings(*local);
  if (!settings) {
    err << "edgestock config verify: " << command.config_path << " is invalid: " << settings.error().front() << "\n";
    return 1;
  }
  config::PushContext context;
  context.site = settings->site;
  context.terminal = settings->terminal;
  context.agent_version = EDGESTOCK_VERSION;
  context.now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  context.central = settings->central;
  context.local_file = *local;
  const auto verdict = config::check_push(*document, context);
  if (verdict.outcome == config::PushVerdict::Outcome::refused) {
    err << "edgestock config verify: " << command.file << " would be refused by terminal " << settings->terminal
        << ":\n";
    for (const auto& problem : verdict.problems) err << "  " << problem << "\n";
    return 1;
  }
  out << command.file << ": version " << verdict.version << " would be accepted by terminal " << settings->terminal;
  if (verdict.unsigned_accepted) out << " UNSIGNED (central.allow_unsigned is set: development only)";
  for (const auto& id : verdict.signed_by) out << ", signed by " << id;
  out << "\n";
  return 0;
}

// Compiler style, one line per problem: FILE:LINE: PATH: what is wrong.
int check(const Command& command, std::ostream& out, std::ostream& err) {
  const auto text = config::read_text_file(command.file);
  if (!text) {
    err << "edgestock config check: cannot read " << command.file << "\n";
    return 1;
  }
  const auto problems = config::check_settings_text(*text);
  for (const auto& problem : problems) {
    err << command.file;
    if (problem.line > 0) err << ":" << problem.line;
    err << ": " << problem.path << ": " << problem.message << "\n";
  }
  if (!problems.empty()) {
    err << command.file << ": " << problems.size() << (problems.size() == 1 ? " problem" : " problems") << "\n";
    return 1;
  }
  out << command.file << ": valid\n";
  return 0;
}

}  // namespace

int run_config_command(const Command& command, std::ostream& out, std::ostream& err) {
  if (command.action == "schema") {
    out << (command.push ? config::push_schema() : config::settings_schema()) << "\n";
    return 0;
  }
  if (command.action == "check") return check(command, out, err);
  if (command.action == "publish") return run_config_publish(command, out, err);
  if (command.action == "status") return run_config_status(command, out, err);
  if (command.action == "keygen") return keygen(command, out, err);
  if (command.action == "sign") return sign(command, out, err);
  return verify(command, out, err);
}

}  // namespace edgestock::agent
