#pragma once
// A client for a real Odoo 17, 18 or 19: JSON-RPC (/jsonrpc, execute_kw) or
// JSON-2 (/json/2/<model>/<method>), chosen from the server's version or set
// in config. One connection, kept alive; connect and total timeouts; TLS
// verification on. The API key is never put in a message or a log.
//
// Every call's outcome is one of three: ok, transient (network, 5xx, 409,
// SerializationFailure: retry later with backoff) or permanent (AccessDenied,
// ValidationError, UserError, MissingError, ...: do not retry, keep the reason).
// Parameters and results are JSON text, so this header stays light.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "edgestock/config/settings.hpp"

namespace edgestock::sync {

enum class OdooOutcome { ok, transient, permanent };

struct OdooReply {
  OdooOutcome outcome = OdooOutcome::permanent;
  std::string result;      // JSON text of the result; "null" when the method returned None
  std::string error_name;  // e.g. odoo.exceptions.UserError, or "network" / "http 503"
  std::string message;     // for people: what went wrong
  [[nodiscard]] bool ok() const { return outcome == OdooOutcome::ok; }
};

enum class OdooProtocol { jsonrpc, json2 };

class OdooClient {
 public:
  OdooClient(const config::OdooSettings& settings, std::string api_key);
  ~OdooClient();
  OdooClient(const OdooClient&) = delete;
  OdooClient& operator=(const OdooClient&) = delete;

  // Learns the server's version, picks the protocol (unless configured) and,
  // for JSON-RPC, the user id. Not ok: why (bad key, unreachable, ...).
  OdooReply connect();
  [[nodiscard]] int server_major_version() const;
  [[nodiscard]] OdooProtocol protocol() const;

  // Calls `method` of `model` with named parameters (a JSON object; "ids"
  // for record methods), e.g. search_read with {"domain": [...], "fields": [...]}.
  OdooReply call(const std::string& model, const std::string& method, const std::string& params_json);

  // Called with the time of each answer's HTTP Date header (Unix ms), on the
  // calling thread, e.g. for storage::ClockCheck::observe.
  void on_server_time(std::function<void(std::int64_t)> observer);

  // Calls made (the login included) by their outcome, since this client was made.
  struct RpcCounts {
    std::int64_t ok = 0;
    std::int64_t transient = 0;
    std::int64_t permanent = 0;
  };
  [[nodiscard]] RpcCounts rpc_counts() const { return counts_; }

 private:
  OdooReply counted(OdooReply reply);
  RpcCounts counts_;
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgestock::sync
