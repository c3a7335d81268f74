// Key rotations and commands from central IT: signed over their own domains
// (fixed vectors signed by the openssl command line with RFC 8032's TEST 1
// key, commands given with each), every reason one is refused, and what a
// rotation leaves trusted.
#include <catch2/catch.hpp>

#include "edgestock/config/central_command.hpp"
#include "edgestock/config/key_rotation.hpp"
#include "edgestock/config/push.hpp"
#include "edgestock/config/signing.hpp"

using namespace edgestock::config;

namespace {

const std::string kRfcPublic = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const std::string kRfcKeyId = "21fe31dfa154a261";
constexpr std::int64_t kNow = 1'796'300'000;

// printf 'edgestock-keys-v1\n{"expires_at":1796884800,"issued_at":1796280000,"retired":["0123456789abcdef"],'
//        '"target":"all","trusted_keys":[],"version":2}' > keys.bin
// openssl pkeyutl -sign -rawin -inkey rfc8032-test1.pem -in keys.bin | base64 -w0
const std::string kRotationSignature =
    "P7WnePtMNO1qnIZcRu1TKVdioTUH3cA/FNhLnZqQrLCGwe0IY+tXQgndP1jhN7K9nuk+Hrfc66+/DgF2u3pzDA==";
// printf 'edgestock-command-v1\n{"command":"report","expires_at":1796300600,"issued_at":1796300000,'
//        '"nonce":"c0ffee-0001","target":{"site":"stjames","terminals":["ward3-t1"]}}' > cmd.bin
const std::string kCommandSignature =
    "irNlzqX8fEeGhN1yz3By0vWeVzgkWCB6gH3VjAwbgWeD1T78PdqmTKLU4lta5OlTe11y9EzJM2RrGLdCyPuzAg==";

std::string fixed_rotation() {
  return R"({"version": 2, "issued_at": 1796280000, "expires_at": 1796884800, "target": "all",
             "trusted_keys": [], "retired": ["0123456789abcdef"],
             "signatures": [{"key": ")" +
         kRfcKeyId + R"(", "sig": ")" + kRotationSignature + R"("}]})";
}

std::string fixed_command() {
  return R"({"command": "report", "nonce": "c0ffee-0001", "issued_at": 1796300000, "expires_at": 1796300600,
             "target": {"site": "stjames", "terminals": ["ward3-t1"]},
             "signatures": [{"key": ")" +
         kRfcKeyId + R"(", "sig": ")" + kCommandSignature + R"("}]})";
}

RotationContext rotation_context(std::vector<std::string> local_keys) {
  RotationContext c;
  c.site = "stjames";
  c.terminal = "ward3-t1";
  c.now_s = kNow;
  c.central.trusted_keys = std::move(local_keys);
  return c;
}

std::string rotation(std::int64_t version, const std::vector<std::string>& trusted,
                     const std::vector<std::string>& retired) {
  std::string t;
  for (const auto& k : trusted) t += (t.empty() ? "\"" : ", \"") + k + "\"";
  std::string r;
  for (const auto& k : retired) r += (r.empty() ? "\"" : ", \"") + k + "\"";
  return R"({"version": )" + std::to_string(version) + R"(, "issued_at": )" + std::to_string(kNow - 10) +
         R"(, "expires_at": )" + std::to_string(kNow + 3600) + R"(, "target": "all", "trusted_keys": [)" + t +
         R"(], "retired": [)" + r + "]}";
}

bool mentions(const Problems& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a key rotation signed by the openssl command line verifies; a push signature does not", "[config][keys]") {
  const auto verdict = check_key_rotation(fixed_rotation(), rotation_context({kRfcPublic}));
  INFO((verdict.problems.empty() ? "" : verdict.problems.front()));
  REQUIRE(verdict.outcome == RotationVerdict::Outcome::accepted);
  CHECK(verdict.signed_by == std::vector<std::string>{kRfcKeyId});
  CHECK(verdict.rotation.version == 2);
  CHECK(verdict.rotation.retired == std::vector<std::string>{"0123456789abcdef"});
  // The same bytes under the push domain: the signature is not a push's.
  auto as_push = fixed_rotation();
  CHECK_FALSE(verify_signature(kRfcPublic, push_signed_bytes(as_push).value(), kRotationSignature));
  // One byte changed: refused.
  auto tampered = fixed_rotation();
  tampered.replace(tampered.find("\"version\": 2"), 12, "\"version\": 3");
  CHECK(mentions(check_key_rotation(tampered, rotation_context({kRfcPublic})).problems, "0 of the trusted keys"));
}

TEST_CASE("a rotation adds keys and retires others, even keys the terminal's own file lists", "[config][keys]") {
  const auto old_key = generate_signing_key().value();
  const auto new_key = generate_signing_key().value();
  const auto context = rotation_context({old_key.public_key});
  const auto document =
      sign_key_rotation(rotation(1, {new_key.public_key}, {key_id(old_key.public_key)}), old_key.private_key).value();
  const auto verdict = check_key_rotation(document, context);
  INFO((verdict.problems.empty() ? "" : verdict.problems.front()));
  REQUIRE(verdict.outcome == RotationVerdict::Outcome::accepted);
  CHECK(effective_trusted_keys(context.central.trusted_keys, verdict.rotation) ==
        std::vector<std::string>{new_key.public_key});

  // After it: the retired key signs nothing, neither a rotation nor a push.
  auto after = context;
  after.applied = verdict.rotation;
  const auto by_retired = sign_key_rotation(rotation(2, {old_key.public_key}, {}), old_key.private_key).value();
  CHECK(mentions(check_key_rotation(by_retired, after).problems, "0 of the trusted keys signed it"));
  const auto by_new =
      sign_key_rotation(rotation(2, {new_key.public_key}, {key_id(old_key.public_key)}), new_key.private_key).value();
  CHECK(check_key_rotation(by_new, after).outcome == RotationVerdict::Outcome::accepted);
  // The rotation itself replayed: its signer is retired now, so it counts for nothing.
  CHECK(mentions(check_key_rotation(document, after).problems, "0 of the trusted keys"));
}

TEST_CASE("every reason a key rotation is refused", "[config][keys]") {
  const auto key = generate_signing_key().value();
  const auto other = generate_signing_key().value();
  auto context = rotation_context({key.public_key});
  auto refused_for = [&](const std::string& document, const std::string& reason) {
    const auto verdict = check_key_rotation(document, context);
    INFO(document);
    CHECK(verdict.outcome == RotationVerdict::Outcome::refused);
    CHECK(mentions(verdict.problems, reason));
  };
  auto sign = [&](const std::string& d) { return sign_key_rotation(d, key.private_key).value(); };
  // Unsigned, even where unsigned pushes are allowed for development.
  context.central.allow_unsigned = true;
  refused_for(rotation(1, {other.public_key}, {}), "not signed: a key rotation needs");
  context.central.allow_unsigned = false;
  refused_for(sign_key_rotation(rotation(1, {}, {}), other.private_key).value(), "0 of the trusted keys");
  // Retiring every key would lock the terminal out.
  refused_for(sign(rotation(1, {}, {key_id(key.public_key)})), "no push could be accepted again");
  refused_for(sign(rotation(1, {other.public_key}, {key_id(other.public_key)})), "is also retired");
  refused_for(sign(rotation(1, {"AAAA"}, {})), "trusted_keys: each must be an Ed25519 public key");
  refused_for(sign(rotation(1, {}, {"nothex"})), "retired: each must be a key id");
  refused_for(sign(R"({"version": 1, "issued_at": 1, "expires_at": 2, "target": "all"})"), "expired");
  refused_for(sign(R"({"version": 1, "issued_at": 1796300000, "expires_at": 1796400000, "target": {"site": "x"}})"),
              "target: for site x");
  refused_for(sign(R"({"version": 1, "issued_at": 1796300000, "expires_at": 1796400000, "target": "all", "add": []})"),
              "add: unknown key");
  refused_for("[1]", "must be a JSON object");
  context.applied.version = 5;
  refused_for(sign(rotation(4, {}, {})), "older than key rotation 5");
  CHECK(check_key_rotation(sign(rotation(5, {}, {})), context).outcome == RotationVerdict::Outcome::already_applied);
  // A threshold of two: two distinct trusted keys must sign.
  context = rotation_context({key.public_key, other.public_key});
  context.central.signature_threshold = 2;
  const auto once = sign(rotation(1, {}, {}));
  refused_for(once, "1 of the trusted keys signed it, 2 needed");
  CHECK(check_key_rotation(sign_key_rotation(once, other.private_key).value(), context).outcome ==
        RotationVerdict::Outcome::accepted);
}

TEST_CASE("a command signed by the openssl command line is accepted once; its replay is refused", "[config][cmd]") {
  CommandContext c;
  c.site = "stjames";
  c.terminal = "ward3-t1";
  c.now_s = kNow;
  c.central.trusted_keys = {kRfcPublic};
  const auto first = check_central_command(fixed_command(), c);
  INFO((first.problems.empty() ? "" : first.problems.front()));
  REQUIRE(first.accepted);
  CHECK(first.command == "report");
  CHECK(first.nonce == "c0ffee-0001");
  CHECK(first.expires_at == 1'796'300'600);
  c.nonces[first.nonce] = first.expires_at;
  const auto again = check_central_command(fixed_command(), c);
  CHECK_FALSE(again.accepted);
  CHECK(mentions(again.problems, "nonce c0ffee-0001 was used already: a replayed command"));
  // Once it has expired, its nonce may be forgotten: the command itself is refused as expired.
  c.now_s = 1'796'300'601;
  CHECK(unexpired_nonces(c.nonces, c.now_s).empty());
  c.nonces.clear();
  CHECK(mentions(check_central_command(fixed_command(), c).problems, "expired 1 s ago"));
}

TEST_CASE("every reason a command is refused", "[config][cmd]") {
  const auto key = generate_signing_key().value();
  CommandContext c;
  c.site = "stjames";
  c.terminal = "ward3-t1";
  c.now_s = kNow;
  c.central.trusted_keys = {key.public_key};
  auto command = [](const std::string& name, const std::string& nonce, std::int64_t life,
                    const std::string& target = R"({"site": "stjames"})") {
    return R"({"command": ")" + name + R"(", "nonce": ")" + nonce + R"(", "issued_at": )" + std::to_string(kNow) +
           R"(, "expires_at": )" + std::to_string(kNow + life) + R"(, "target": )" + target + "}";
  };
  auto refused_for = [&](const std::string& document, const std::string& reason) {
    const auto verdict = check_central_command(document, c);
    INFO(document);
    CHECK_FALSE(verdict.accepted);
    CHECK(mentions(verdict.problems, reason));
  };
  auto sign = [&](const std::string& d) { return sign_central_command(d, key.private_key).value(); };
  CHECK(check_central_command(sign(command("resync", "n-00000001", 60)), c).accepted);
  CHECK(check_central_command(sign(command("replay", "n-00000002", 60)), c).accepted);
  refused_for(command("resync", "n-00000003", 60), "not signed: a command needs");
  refused_for(sign(command("reboot", "n-00000004", 60)), R"(command: must be "resync", "replay" or "report")");
  refused_for(sign(command("resync", "short", 60)), "nonce: required, 8-64");
  refused_for(sign(command("resync", "n-00000005", 2 * 86'400)), "a command may live at most 86400 s");
  refused_for(sign(command("resync", "n-00000006", 60, R"({"site": "stjames", "terminals": ["ward4-t1"]})")),
              "target: not for terminal ward3-t1");
  // A push's signature does not make a command.
  refused_for(sign_push(command("resync", "n-00000007", 60), key.private_key).value(), "0 of the trusted keys");
  for (int i = 0; i < static_cast<int>(kMaxRememberedNonces); ++i) c.nonces["old-" + std::to_string(i)] = kNow + 60;
  refused_for(sign(command("resync", "n-00000008", 60)), "refused until older ones expire");
}
