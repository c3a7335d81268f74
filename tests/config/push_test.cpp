// Config pushes: Ed25519 through OpenSSL, the canonical bytes a signature
// covers, and every reason a push is refused. Expected values come from
// elsewhere: RFC 8032's test vector, and signatures made by the openssl
// command line (commands given with each).
#include <catch2/catch.hpp>

#include "edgestock/config/push.hpp"
#include "edgestock/config/signing.hpp"

using namespace edgestock::config;

namespace {

// RFC 8032 section 7.1, TEST 1: the secret key (seed), its public key, and
// the signature of the empty message, here in base64.
const std::string kRfcSeed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
const std::string kRfcPublic = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const std::string kRfcEmptySignature =
    "5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw==";
// sha256 of the raw public key, first 8 bytes:
//   printf d75a98...511a | xxd -r -p | sha256sum | cut -c1-16
const std::string kRfcKeyId = "21fe31dfa154a261";

// A push, in canonical form and as signed by the RFC key with
//   openssl pkeyutl -sign -rawin -inkey rfc8032-test1.pem -in push.bin | base64 -w0
// where push.bin holds kPushDomain followed by kCanonical.
const std::string kCanonical =
    R"({"expires_at":1796884800,"issued_at":1796280000,"settings":{"session":{"auto_confirm_s":30}},)"
    R"("target":{"site":"stjames"},"version":7})";
const std::string kOpensslSignature =
    "66qaz9oMihmdZLW219CC5IzHVZJnfVzJCcIBkA9OjLeD1s98xapT5ea6lpNSdEQKFh8+bQftqK6UlzhRHYyzDw==";

constexpr std::int64_t kNow = 1'796'300'000;

const std::string kLocal = R"({"site": "stjames", "terminal": "ward3-t1", "session": {"default_location": "WARD3"}})";

PushContext context() {
  PushContext c;
  c.site = "stjames";
  c.terminal = "ward3-t1";
  c.agent_version = "0.1.0";
  c.applied_version = 6;
  c.now_s = kNow;
  c.central.trusted_keys = {kRfcPublic};
  c.local_file = kLocal;
  return c;
}

// The same document as kCanonical, written the way a person would, signed.
std::string signed_document(const std::string& extra = "") {
  return R"({ "version": 7, "target": {"site": "stjames"},
              "issued_at": 1796280000, "expires_at": 1796884800,
              "settings": {"session": {"auto_confirm_s": 30}}, )" +
         extra + R"("signatures": [{"key": ")" + kRfcKeyId + R"(", "sig": ")" + kOpensslSignature + R"("}]})";
}

}  // namespace

TEST_CASE("Ed25519 through OpenSSL agrees with RFC 8032", "[config][push]") {
  CHECK(public_key_of(kRfcSeed).value() == kRfcPublic);
  CHECK(sign_bytes(kRfcSeed, "").value() == kRfcEmptySignature);
  CHECK(verify_signature(kRfcPublic, "", kRfcEmptySignature));
  CHECK_FALSE(verify_signature(kRfcPublic, "x", kRfcEmptySignature));
  auto flipped = kRfcEmptySignature;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  CHECK_FALSE(verify_signature(kRfcPublic, "", flipped));
  CHECK_FALSE(verify_signature("not a key", "", kRfcEmptySignature));
  CHECK_FALSE(verify_signature(kRfcPublic, "", ""));
  CHECK(key_id(kRfcPublic) == kRfcKeyId);
  CHECK(key_id("AAAA").empty());
  const auto fresh = generate_signing_key().value();
  CHECK(public_key_of(fresh.private_key).value() == fresh.public_key);
  CHECK(verify_signature(fresh.public_key, "m", sign_bytes(fresh.private_key, "m").value()));
  CHECK_FALSE(base64_decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2B=").has_value());  // not canonical
}

TEST_CASE("the signed bytes: the domain, then the document without signatures in canonical form", "[config][push]") {
  CHECK(push_signed_bytes(signed_document()).value() == std::string(kPushDomain) + kCanonical);
  CHECK(push_signed_bytes(R"({"b": "é\"\n", "a": [1, {"d": true, "c": null}]})").value() ==
        std::string(kPushDomain) + R"({"a":[1,{"c":null,"d":true}],"b":"é\"\n"})");
  CHECK_THAT(push_signed_bytes(R"({"version": 1.5})").error(), Catch::Contains("whole numbers"));
  CHECK_THAT(push_signed_bytes("[]").error(), Catch::Contains("object"));
  // Our signature of those bytes is openssl's (Ed25519 is deterministic).
  const auto resigned = sign_push(push_signed_bytes(signed_document()).value().substr(kPushDomain.size()), kRfcSeed);
  CHECK_THAT(resigned.value(), Catch::Contains(kOpensslSignature));
}

TEST_CASE("a push signed by a trusted key, newer, current and for this terminal is accepted", "[config][push]") {
  const auto verdict = check_push(signed_document(), context());
  INFO((verdict.problems.empty() ? "" : verdict.problems.front()));
  CHECK(verdict.outcome == PushVerdict::Outcome::accepted);
  CHECK(verdict.version == 7);
  CHECK(verdict.signed_by == std::vector<std::string>{kRfcKeyId});
  CHECK(verdict.settings == R"({"session":{"auto_confirm_s":30}})");
  const auto applied = settings_with_pushes(kLocal, {verdict.settings}).value();
  CHECK(applied.session.auto_confirm_s == 30);
  CHECK(applied.session.default_location == "WARD3");  // the local file's keys stay

  auto again = context();
  again.applied_version = 7;  // the retained document, arriving again on reconnect
  CHECK(check_push(signed_document(), again).outcome == PushVerdict::Outcome::already_applied);
}

TEST_CASE("every reason a push is refused, and a refused push changes nothing", "[config][push]") {
  struct Case {
    const char* what;
    std::string payload;
    PushContext context;
    std::string problem;
  };
  auto ctx = context();
  auto newer = ctx;
  newer.applied_version = 8;
  auto later = ctx;
  later.now_s = 1'796'884'800;
  auto earlier = ctx;
  earlier.now_s = 1'796'280'000 - 301;
  auto elsewhere = ctx;
  elsewhere.site = "stmarys";
  auto old_agent = ctx;
  old_agent.agent_version = "0.0.9";
  auto small = ctx;
  small.central.max_push_bytes = 1024;
  auto two_keys = ctx;
  two_keys.central.signature_threshold = 2;
  auto other_key = ctx;
  other_key.central.trusted_keys = {generate_signing_key().value().public_key};
  auto tampered = signed_document();
  tampered.replace(tampered.find("30"), 2, "31");
  const Case cases[] = {
      {"unsigned", R"({"version": 7, "issued_at": 1796280000, "expires_at": 1796884800, "target": "all",
         "settings": {}})",
       ctx, "not signed"},
      {"tampered after signing", tampered, ctx, "0 of the trusted keys signed it, 1 needed"},
      {"signed by a key not trusted", signed_document(), other_key, "0 of the trusted keys signed it"},
      {"one signature where two are needed", signed_document(), two_keys, "1 of the trusted keys signed it, 2 needed"},
      {"replayed: older than applied", signed_document(), newer, "older than version 8, applied already"},
      {"expired", signed_document(), later, "expired 0 s ago"},
      {"issued in the future beyond the skew", signed_document(), earlier, "s in the future"},
      {"for another site", signed_document(), elsewhere, "target: for site stjames, this is stmarys"},
      {"needs a newer agent", signed_document(R"("min_agent_version": "0.1.0", )"), old_agent,
       "needs edgestock 0.1.0 or newer; this is 0.0.9"},
      {"over the size cap", signed_document(R"("pad": ")" + std::string(2000, 'x') + R"(", )"), small,
       "over central.max_push_bytes"},
      {"malformed JSON", R"({"version": 7,)", ctx, "not valid JSON"},
      {"an unknown key", signed_document(R"("versoin": 8, )"), ctx, "versoin: unknown key"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto verdict = check_push(c.payload, c.context);
    CHECK(verdict.outcome == PushVerdict::Outcome::refused);
    REQUIRE_FALSE(verdict.problems.empty());
    bool named = false;
    for (const auto& p : verdict.problems) named |= p.find(c.problem) != std::string::npos;
    INFO(verdict.problems.front());
    CHECK(named);
  }
}

TEST_CASE("pushed settings are checked as the local file is, and may not touch local-only keys", "[config][push]") {
  auto allow = context();
  allow.central.allow_unsigned = true;  // the schema is what is tested here
  const auto document = [](const std::string& settings) {
    return R"({"version": 7, "issued_at": 1796280000, "expires_at": 1796884800, "target": "all", "settings": )" +
           settings + "}";
  };
  auto verdict = check_push(document(R"({"session": {"auto_confirm_s": -1, "idle_logout": 5},
                                         "mqtt": {"enabled": "yes"}})"),
                            allow);
  CHECK(verdict.outcome == PushVerdict::Outcome::refused);
  CHECK(verdict.problems.size() == 3);  // every one listed, each with its path
  verdict = check_push(document(R"({"terminal": "ward9", "ledger": {"path": "/tmp/x.db"},
                                   "central": {"allow_unsigned": true}})"),
                       allow);
  REQUIRE(verdict.problems.size() == 3);
  CHECK(verdict.problems[0] == "settings.central: may be set only in the terminal's own file, never pushed");
  CHECK(verdict.problems[1] == "settings.ledger.path: may be set only in the terminal's own file, never pushed");
  CHECK(verdict.problems[2] == "settings.terminal: may be set only in the terminal's own file, never pushed");
  verdict = check_push(document(R"({"session": {"idle_logout_s": 300}})"), allow);
  CHECK(verdict.outcome == PushVerdict::Outcome::accepted);
  CHECK(verdict.unsigned_accepted);  // the status must say so
}

TEST_CASE("a terminal's document overrides its site's, key by key", "[config][push]") {
  const auto settings = settings_with_pushes(kLocal, {R"({"session": {"auto_confirm_s": 30, "idle_logout_s": 900}})",
                                                      R"({"session": {"idle_logout_s": 120}})"})
                            .value();
  CHECK(settings.session.auto_confirm_s == 30);
  CHECK(settings.session.idle_logout_s == 120);
  CHECK(settings.session.default_location == "WARD3");
}

TEST_CASE("agent versions compare as numbers", "[config][push]") {
  CHECK(compare_versions("0.1.10", "0.1.9") == 1);
  CHECK(compare_versions("0.1", "0.1.0") == 0);
  CHECK(compare_versions("0.2.0", "1.0") == -1);
  CHECK_FALSE(compare_versions("0.1.", "0.1").has_value());
  CHECK_FALSE(compare_versions("v1", "1").has_value());
}
