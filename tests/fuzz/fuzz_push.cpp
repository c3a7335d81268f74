// libFuzzer target: a config push, key rotation or command from the network,
// arbitrary bytes, through the parser and every check. It must answer (accepted, or refused with at
// least one reason) without crashing or reading out of bounds; an accepted
// push must be signed by the one trusted key (or the run's unsigned flag),
// and its settings must lay over the local file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgestock/config/central_command.hpp"
#include "edgestock/config/key_rotation.hpp"
#include "edgestock/config/push.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgestock::config;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  PushContext context;
  context.site = "stjames";
  context.terminal = "ward3-t1";
  context.agent_version = "0.1.0";
  context.applied_version = 6;
  context.now_s = 1'796'300'000;
  // RFC 8032's first test key: the seed corpus holds documents it signed.
  context.central.trusted_keys = {"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="};
  context.central.allow_unsigned = size > 0 && data[0] == ' ';  // both paths
  context.local_file = R"({"site": "stjames", "terminal": "ward3-t1"})";
  const auto verdict = check_push(payload, context);
  if (verdict.outcome == PushVerdict::Outcome::refused && verdict.problems.empty()) __builtin_trap();
  if (verdict.outcome != PushVerdict::Outcome::refused) {
    if (verdict.signed_by.empty() && !verdict.unsigned_accepted) __builtin_trap();
    if (!settings_with_pushes(context.local_file, {verdict.settings})) __builtin_trap();
  }
  (void)push_signed_bytes(payload);

  // The same bytes as a key rotation and as a command: the other documents
  // central IT sends, checked by the same core.
  RotationContext rotation;
  rotation.site = context.site;
  rotation.terminal = context.terminal;
  rotation.now_s = context.now_s;
  rotation.central = context.central;
  const auto keys = check_key_rotation(payload, rotation);
  if (keys.outcome == RotationVerdict::Outcome::refused && keys.problems.empty()) __builtin_trap();
  if (keys.outcome == RotationVerdict::Outcome::accepted &&
      (keys.signed_by.empty() || effective_trusted_keys(context.central.trusted_keys, keys.rotation).empty())) {
    __builtin_trap();  // unsigned, or it locked the terminal out
  }
  CommandContext command;
  command.site = context.site;
  command.terminal = context.terminal;
  command.now_s = context.now_s;
  command.central = context.central;
  const auto order = check_central_command(payload, command);
  if (order.accepted != order.problems.empty()) __builtin_trap();
  if (order.accepted && (order.nonce.empty() || order.expires_at <= command.now_s)) __builtin_trap();
  return 0;
}
