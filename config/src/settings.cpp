#include "edgestock/config/settings.hpp"

#include "edgestock/config/signing.hpp"

#include <arpa/inet.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace edgestock::config {
namespace {

using Json = nlohmann::json;

// One row of the declarative table: where the key lives, what it defaults
// to, and how a JSON value is checked and stored.
struct Key {
  const char* path;  // dotted: "ledger.durability"
  bool required;
  const char* meaning;
  std::function<std::string(Settings&)> show_default;
  std::function<std::string(const Json&, Settings&)> apply;  // "" or the problem
  Json schema;                                               // the JSON Schema of the value (config schema)
};

bool is_identifier(const std::string& text) {
  if (text.empty() || text.size() > 64) return false;
  for (const char c : text) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Builders for the rows of the table, one per kind of value.
template <typename Field>
using Accessor = Field& (*)(Settings&);

// An id that appears in MQTT topics: no '/', '+', '#' or spaces.
Key identifier_key(const char* path, const char* meaning, Accessor<std::string> field) {
  return {path,
          true,
          meaning,
          [](Settings&) { return std::string("(required)"); },
          [field](const Json& v, Settings& s) -> std::string {
            if (!v.is_string()) return "must be a string";
            if (!is_identifier(v.get<std::string>())) return "must be 1-64 letters, digits, '-', '_' or '.'";
            field(s) = v.get<std::string>();
            return {};
          },
          Json{{"type", "string"}, {"pattern", "^[A-Za-z0-9._-]{1,64}$"}}};
}

Key text_key(const char* path, const char* meaning, Accessor<std::string> field, bool may_be_empty = true) {
  return {path,
          false,
          meaning,
          [field](Settings& d) { return field(d); },
          [field, may_be_empty](const Json& v, Settings& s) -> std::string {
            if (!v.is_string()) return "must be a string";
            if (!may_be_empty && v.get<std::string>().empty()) return "must not be empty";
            field(s) = v.get<std::string>();
            return {};
          },
          may_be_empty ? Json{{"type", "string"}} : Json{{"type", "string"}, {"minLength", 1}}};
}

Key choice_key(const char* path, const char* meaning, Accessor<std::string> field,
               const std::vector<std::string>& choices) {
  return {path,
          false,
          meaning,
          [field](Settings& d) { return field(d); },
          [field, choices](const Json& v, Settings& s) -> std::string {
            std::string allowed;
            for (const auto& choice : choices) allowed += (allowed.empty() ? "\"" : ", \"") + choice + "\"";
            if (!v.is_string()) return "must be one of " + allowed;
            for (const auto& choice : choices) {
              if (v == choice) {
                field(s) = choice;
                return {};
              }
            }
            return "must be one of " + allowed;
          },
          Json{{"type", "string"}, {"enum", choices}}};
}

template <typename Int>
Key number_key(const char* path, const char* meaning, Accessor<Int> field, std::int64_t minimum, std::int64_t maximum) {
  return {path,
          false,
          meaning,
          [field](Settings& d) { return std::to_string(field(d)); },
          [field, minimum, maximum](const Json& v, Settings& s) -> std::string {
            if (!v.is_number_integer() || v.get<std::int64_t>() < minimum || v.get<std::int64_t>() > maximum) {
              return "must be a whole number from " + std::to_string(minimum) + " to " + std::to_string(maximum);
            }
            field(s) = static_cast<Int>(v.get<std::int64_t>());
            return {};
          },
          Json{{"type", "integer"}, {"minimum", minimum}, {"maximum", maximum}}};
}

Key flag_key(const char* path, const char* meaning, Accessor<bool> field) {
  return {path,
          false,
          meaning,
          [field](Settings& d) { return field(d) ? "true" : "false"; },
          [field](const Json& v, Settings& s) -> std::string {
            if (!v.is_boolean()) return "must be true or false";
            field(s) = v.get<bool>();
            return {};
          },
          Json{{"type", "boolean"}}};
}

// The id of an Odoo record (0: not set).
Key record_id_key(const char* path, const char* meaning, Accessor<std::int64_t> field) {
  return number_key<std::int64_t>(path, meaning, field, 0, std::int64_t{1} << 31);
}

// A JSON object of strings, such as session.cost_centres.
Key string_map_key(const char* path, const char* meaning, Accessor<std::map<std::string, std::string>> field) {
  return {path,
          false,
          meaning,
          [](Settings&) { return std::string("{}"); },
          [field](const Json& v, Settings& s) -> std::string {
            if (!v.is_object()) return "must be an object of \"key\": \"value\" strings";
            std::map<std::string, std::string> out;
            for (const auto& [name, value] : v.items()) {
              if (!value.is_string() || !is_identifier(name))
                return "entry \"" + name + "\" must map a code to a string";
              out[name] = value.get<std::string>();
            }
            field(s) = std::move(out);
            return {};
          },
          Json{{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}};
}

// GS1 General Specifications 7.9.1: the mod-10 check digit of a GLN.
bool is_gln(std::string_view text) {
  if (text.size() != 13) return false;
  int sum = 0;
  for (std::size_t i = 0; i < 13; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    if (i < 12) sum += (text[i] - '0') * ((12 - i) % 2 == 1 ? 3 : 1);
  }
  return (10 - sum % 10) % 10 == text[12] - '0';
}

// session.gln_locations: "GLN" or "GLN/EXT" (a 254 extension: 1-20
// characters) to the location code it stands for.
Key gln_locations_key() {
  return {"session.gln_locations",
          false,
          "GS1 location labels to locations: {\"9506000134352\": \"WARD3\", \"9506000134352/SHELF-3\": \"WARD3-S3\"}",
          [](Settings&) { return std::string("{}"); },
          [](const Json& v, Settings& s) -> std::string {
            if (!v.is_object()) return "must be an object of \"GLN\" or \"GLN/extension\": \"location\"";
            std::map<std::string, std::string> out;
            for (const auto& [label, location] : v.items()) {
              const auto slash = label.find('/');
              const std::string gln = label.substr(0, slash);
              const std::string extension = slash == std::string::npos ? "" : label.substr(slash + 1);
              if (!is_gln(gln)) return "\"" + label + "\" does not start with a GLN (13 digits, valid check digit)";
              if (slash != std::string::npos && (extension.empty() || extension.size() > 20)) {
                return "\"" + label + "\": the extension after '/' is 1 to 20 characters";
              }
              if (!location.is_string() || !is_identifier(location.get<std::string>())) {
                return "\"" + label + "\" must map to a location code";
              }
              out[label] = location.get<std::string>();
            }
            s.session.gln_locations = std::move(out);
            return {};
          },
          Json{{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}};
}

// A list of Ed25519 public keys in base64.
Key trusted_keys_key() {
  return {"central.trusted_keys",
          false,
          "Ed25519 public keys (base64) whose signatures config pushes are checked against",
          [](Settings&) { return std::string("[]"); },
          [](const Json& v, Settings& s) -> std::string {
            if (!v.is_array()) return "must be a list of base64 public keys";
            std::vector<std::string> keys;
            for (const auto& key : v) {
              if (!key.is_string() || key_id(key.get<std::string>()).empty()) {
                return "each must be an Ed25519 public key: 32 bytes in base64 (edgestock config keygen prints one)";
              }
              keys.push_back(key.get<std::string>());
            }
            s.central.trusted_keys = std::move(keys);
            return {};
          },
          Json{{"type", "array"}, {"items", {{"type", "string"}, {"pattern", "^[A-Za-z0-9+/]{43}=$"}}}}};
}

Key operators_key() {
  return {"session.operators",
          false,
          "badge -> the actions it may take (receive, issue, transfer, count); other badges are refused",
          [](Settings&) { return std::string("{}"); },
          [](const Json& v, Settings& s) -> std::string {
            if (!v.is_object()) return "must be an object: {\"badge\": [\"issue\", ...]}";
            std::map<std::string, std::vector<std::string>> out;
            for (const auto& [badge, actions] : v.items()) {
              if (!is_identifier(badge)) return "badge \"" + badge + "\" is not 1-64 letters, digits, '-', '_' or '.'";
              if (!actions.is_array()) return "the actions of " + badge + " must be a list";
              for (const auto& action : actions) {
                if (!action.is_string() ||
                    (action != "receive" && action != "issue" && action != "transfer" && action != "count")) {
                  return "badge " + badge + ": actions are receive, issue, transfer and count";
                }
                out[badge].push_back(action.get<std::string>());
              }
            }
            s.session.operators = std::move(out);
            return {};
          },
          Json{{"type", "object"},
               {"additionalProperties",
                {{"type", "array"},
                 {"items", {{"type", "string"}, {"enum", {"receive", "issue", "transfer", "count"}}}}}}}};
}

Key recalled_key() {
  return {
      "session.recalled_lots",
      false,
      "lots that must not be used: [{\"gtin\": \"...\", \"lot\": \"...\"}]",
      [](Settings&) { return std::string("[]"); },
      [](const Json& v, Settings& s) -> std::string {
        if (!v.is_array()) return "must be a list of {\"gtin\", \"lot\"}";
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& entry : v) {
          if (!entry.is_object() || !entry.contains("gtin") || !entry.contains("lot") || !entry["gtin"].is_string() ||
              !entry["lot"].is_string() || entry["gtin"].get<std::string>().size() != 14) {
            return "each entry is {\"gtin\": \"<14 digits>\", \"lot\": \"...\"}";
          }
          out.emplace_back(entry["gtin"].get<std::string>(), entry["lot"].get<std::string>());
        }
        s.session.recalled_lots = std::move(out);
        return {};
      },
      Json{
          {"type", "array"},
          {"items",
           {{"type", "object"},
            {"required", {"gtin", "lot"}},
            {"properties", {{"gtin", {{"type", "string"}, {"pattern", "^[0-9]{14}$"}}}, {"lot", {{"type", "string"}}}}},
            {"additionalProperties", false}}}}};
}

const std::vector<Key>& keys() {
  static const std::vector<Key> kTable{
      identifier_key("site", "site id (hospital or clinic); part of every MQTT topic",
                     [](Settings& s) -> std::string& { return s.site; }),
      identifier_key("terminal", "terminal id; MQTT client id, part of every MQTT topic, the ledger's owner",
                     [](Settings& s) -> std::string& { return s.terminal; }),
      text_key(
          "ledger.path", "SQLite ledger file (created 0600)", [](Settings& s) -> std::string& { return s.ledger.path; },
          false),
      choice_key("ledger.durability", "full (survives power loss) or normal (survives a crash only)",
                 [](Settings& s) -> std::string& { return s.ledger.durability; }, {"full", "normal"}),
      number_key<std::int64_t>(
          "ledger.max_bytes", "hard cap on the ledger's size in bytes (0: none, else >= 1 MiB)",
          [](Settings& s) -> std::int64_t& { return s.ledger.max_bytes; }, 0, std::int64_t{1} << 50),
      number_key<int>(
          "ledger.retention_days",
          "days a move that reached every destination is kept (0: forever); undelivered moves are "
          "never pruned",
          [](Settings& s) -> int& { return s.ledger.retention_days; }, 0, 36'500),
      flag_key("mqtt.enabled", "publish stock events, status and alerts over MQTT",
               [](Settings& s) -> bool& { return s.mqtt.enabled; }),
      text_key(
          "mqtt.broker", "broker URI: tcp://host:1883, or ssl://host:8883 for TLS",
          [](Settings& s) -> std::string& { return s.mqtt.broker; }, false),
      Key{"mqtt.brokers", false,
          "more nodes of the same broker cluster, tried in turn after mqtt.broker: [\"ssl://node2:8883\", ...]",
          [](Settings&) { return std::string("[]"); },
          [](const Json& v, Settings& s) -> std::string {
            if (!v.is_array() || v.size() > 16) return "must be a list of at most 16 broker URIs";
            std::vector<std::string> uris;
            for (const auto& uri : v) {
              if (!uri.is_string() || host_of(uri.get<std::string>()).empty()) {
                return "each must be a broker URI such as ssl://node2:8883";
              }
              uris.push_back(uri.get<std::string>());
            }
            s.mqtt.brokers = std::move(uris);
            return {};
          },
          Json{{"type", "array"}, {"maxItems", 16}, {"items", {{"type", "string"}, {"pattern", "^[a-z]+://"}}}}},
      number_key<int>(
          "mqtt.version", "MQTT protocol: 4 (3.1.1) or 5", [](Settings& s) -> int& { return s.mqtt.version; }, 4, 5),
      Key{"mqtt.prefix", false, "first level of every topic (no '/', '+', '#' or spaces)",
          [](Settings& d) { return d.mqtt.prefix; },
          [](const Json& v, Settings& s) -> std::string {
            if (!v.is_string() || !is_identifier(v.get<std::string>())) {
              return "must be one topic level: 1-64 letters, digits, '-', '_' or '.' (no '/', '+' or '#')";
            }
            s.mqtt.prefix = v.get<std::string>();
            return {};
          },
          Json{{"type", "string"}, {"pattern", "^[A-Za-z0-9._-]{1,64}$"}}},
      text_key("mqtt.username", "broker user name", [](Settings& s) -> std::string& { return s.mqtt.username; }),
      text_key("mqtt.password_file", "file holding the broker password (never put the password itself here)",
               [](Settings& s) -> std::string& { return s.mqtt.password_file; }),
      flag_key("mqtt.allow_cleartext_password",
               "INSECURE: allow a password over tcp:// to a broker that is not on this machine",
               [](Settings& s) -> bool& { return s.mqtt.allow_cleartext_password; }),
      text_key("mqtt.tls.ca_file", "CA certificate(s) that signed the broker's certificate",
               [](Settings& s) -> std::string& { return s.mqtt.tls.ca_file; }),
      text_key("mqtt.tls.cert_file", "client certificate, for brokers that require one",
               [](Settings& s) -> std::string& { return s.mqtt.tls.cert_file; }),
      text_key("mqtt.tls.key_file", "private key of the client certificate",
               [](Settings& s) -> std::string& { return s.mqtt.tls.key_file; }),
      flag_key("mqtt.tls.verify", "verify the broker's certificate and host name (leave on)",
               [](Settings& s) -> bool& { return s.mqtt.tls.verify; }),
      number_key<int>(
          "mqtt.keepalive_s", "seconds between keep-alive pings",
          [](Settings& s) -> int& { return s.mqtt.keepalive_s; }, 5, 3600),
      number_key<int>(
          "mqtt.session_expiry_s", "MQTT 5: how long the broker keeps the terminal's session while it is offline",
          [](Settings& s) -> int& { return s.mqtt.session_expiry_s; }, 60, 2'147'483'647),
      number_key<int>(
          "mqtt.window", "stock events published and not yet acknowledged, at most",
          [](Settings& s) -> int& { return s.mqtt.window; }, 1, 10'000),
      number_key<int>(
          "mqtt.reconnect_min_ms", "first wait before reconnecting",
          [](Settings& s) -> int& { return s.mqtt.reconnect_min_ms; }, 10, 600'000),
      number_key<int>(
          "mqtt.reconnect_max_ms", "longest wait between reconnects (the backoff doubles up to it)",
          [](Settings& s) -> int& { return s.mqtt.reconnect_max_ms; }, 10, 3'600'000),
      number_key<int>(
          "mqtt.status_interval_s", "seconds between status messages",
          [](Settings& s) -> int& { return s.mqtt.status_interval_s; }, 1, 86'400),
      number_key<std::int64_t>(
          "mqtt.backlog_alert", "alert when more stock events than this wait to be sent",
          [](Settings& s) -> std::int64_t& { return s.mqtt.backlog_alert; }, 1, std::int64_t{1} << 40),
      flag_key("scanners.tcp.enabled", "accept scans as lines over TCP (network scanners, tests)",
               [](Settings& s) -> bool& { return s.scanners.tcp_enabled; }),
      text_key(
          "scanners.tcp.bind", "address the TCP scan listener binds (loopback unless a network scanner needs more)",
          [](Settings& s) -> std::string& { return s.scanners.tcp_bind; }, false),
      number_key<int>(
          "scanners.tcp.port", "port of the TCP scan listener", [](Settings& s) -> int& { return s.scanners.tcp_port; },
          1, 65535),
      number_key<int>(
          "scanners.tcp.max_connections", "TCP scan connections open at once, at most (more are refused)",
          [](Settings& s) -> int& { return s.scanners.tcp_max_connections; }, 1, 256),
      number_key<int>(
          "scanners.tcp.idle_timeout_s", "a scan connection (TCP or Unix) quiet this many seconds is closed",
          [](Settings& s) -> int& { return s.scanners.tcp_idle_timeout_s; }, 10, std::int64_t{7} * 86'400),
      text_key("scanners.unix.path",
               "Unix socket for local scanner bridges, mode 0660: only the service's group can scan (empty: none)",
               [](Settings& s) -> std::string& { return s.scanners.unix_socket; }),
      flag_key("odoo.enabled", "post moves to Odoo and pull the catalogue from it",
               [](Settings& s) -> bool& { return s.odoo.enabled; }),
      text_key(
          "odoo.url", "Odoo's base URL, https://host[:port]", [](Settings& s) -> std::string& { return s.odoo.url; },
          false),
      text_key(
          "odoo.database", "Odoo database name", [](Settings& s) -> std::string& { return s.odoo.database; }, false),
      text_key(
          "odoo.login", "login of the least-privilege Odoo user edgestock acts as",
          [](Settings& s) -> std::string& { return s.odoo.login; }, false),
      text_key("odoo.api_key_file", "file holding that user's API key (never put the key itself here)",
               [](Settings& s) -> std::string& { return s.odoo.api_key_file; }),
      choice_key("odoo.protocol", "auto (JSON-2 on Odoo 19+, else JSON-RPC), jsonrpc or json2",
                 [](Settings& s) -> std::string& { return s.odoo.protocol; }, {"auto", "jsonrpc", "json2"}),
      flag_key("odoo.allow_cleartext_api_key",
               "INSECURE: allow the API key over http:// to an Odoo that is not on this machine",
               [](Settings& s) -> bool& { return s.odoo.allow_cleartext_api_key; }),
      text_key("odoo.ca_file", "CA certificate(s) of Odoo's HTTPS certificate (empty: the system's store)",
               [](Settings& s) -> std::string& { return s.odoo.ca_file; }),
      flag_key("odoo.verify", "verify Odoo's certificate and host name (leave on)",
               [](Settings& s) -> bool& { return s.odoo.verify; }),
      number_key<int>(
          "odoo.connect_timeout_ms", "time to connect to Odoo",
          [](Settings& s) -> int& { return s.odoo.connect_timeout_ms; }, 100, 600'000),
      number_key<int>(
          "odoo.timeout_ms", "time for one Odoo call, connect included",
          [](Settings& s) -> int& { return s.odoo.timeout_ms; }, 100, 3'600'000),
      number_key<std::int64_t>(
          "odoo.max_reply_bytes", "largest answer accepted from Odoo for one call (a larger one is refused)",
          [](Settings& s) -> std::int64_t& { return s.odoo.max_reply_bytes; }, 65'536, std::int64_t{1} << 30),
      flag_key("odoo.posting.enabled", "post the moves to Odoo (needs the odoo.posting ids below)",
               [](Settings& s) -> bool& { return s.odoo.posting.enabled; }),
      number_key<int>(
          "odoo.posting.interval_s", "seconds between posting rounds",
          [](Settings& s) -> int& { return s.odoo.posting.interval_s; }, 5, 86'400),
      record_id_key("odoo.posting.supplier_location_id", "Odoo stock.location id receipts come from (vendors)",
                    [](Settings& s) -> std::int64_t& { return s.odoo.posting.supplier_location; }),
      record_id_key("odoo.posting.consumption_location_id",
                    "Odoo stock.location id issues go to when they have no cost centre of their own",
                    [](Settings& s) -> std::int64_t& { return s.odoo.posting.consumption_location; }),
      Key{"odoo.posting.cost_centre_locations", false,
          "cost centre -> the Odoo stock.location id its issues are booked to: {\"CC-W3\": 41, ...}",
          [](Settings&) { return std::string("{}"); },
          [](const Json& v, Settings& s) -> std::string {
            if (!v.is_object()) return "must be an object of \"cost centre\": location id";
            std::map<std::string, std::int64_t> out;
            for (const auto& [name, id] : v.items()) {
              if (!is_identifier(name) || !id.is_number_integer() || id.get<std::int64_t>() <= 0) {
                return "entry \"" + name + "\" must map a cost centre to a positive Odoo id";
              }
              out[name] = id.get<std::int64_t>();
            }
            s.odoo.posting.cost_centre_locations = std::move(out);
            return {};
          },
          Json{{"type", "object"}, {"additionalProperties", {{"type", "integer"}, {"minimum", 1}}}}},
      record_id_key("odoo.posting.inventory_loss_location_id",
                    "Odoo stock.location id (usage inventory) counts and adjustments are booked against",
                    [](Settings& s) -> std::int64_t& { return s.odoo.posting.inventory_loss_location; }),
      record_id_key("odoo.posting.scrap_location_id", "Odoo stock.location id scrap goes to",
                    [](Settings& s) -> std::int64_t& { return s.odoo.posting.scrap_location; }),
      record_id_key("odoo.posting.picking_type.incoming", "Odoo stock.picking.type id of receipts",
                    [](Settings& s) -> std::int64_t& { return s.odoo.posting.incoming_type; }),
      record_id_key("odoo.posting.picking_type.internal",
                    "Odoo stock.picking.type id of transfers, counts, returns and reversals",
                    [](Settings& s) -> std::int64_t& { return s.odoo.posting.internal_type; }),
      record_id_key("odoo.posting.picking_type.outgoing", "Odoo stock.picking.type id of issues",
                    [](Settings& s) -> std::int64_t& { return s.odoo.posting.outgoing_type; }),
      number_key<int>(
          "odoo.reconcile_interval_s",
          "seconds between reconciliations with Odoo while the agent posts (an alert on a problem); 0: never",
          [](Settings& s) -> int& { return s.odoo.reconcile_interval_s; }, 0, std::int64_t{7} * 86'400),
      number_key<int>(
          "odoo.posting.batch_window_s", "a picking holds moves of at most this many seconds of scanning",
          [](Settings& s) -> int& { return s.odoo.posting.batch_window_s; }, 60, std::int64_t{31} * 86'400),
      number_key<int>(
          "odoo.posting.batch_max_moves", "most moves in one picking",
          [](Settings& s) -> int& { return s.odoo.posting.batch_max_moves; }, 1, 5000),
      number_key<int>(
          "odoo.posting.receipt_quiet_s",
          "a received transfer is posted when complete or after this many seconds without a scan of it",
          [](Settings& s) -> int& { return s.odoo.posting.receipt_quiet_s; }, 60, 86'400),
      number_key<int>(
          "odoo.posting.receipt_done_window_h",
          "hours around central's validation within which a receipt confirms a transfer done at dispatch",
          [](Settings& s) -> int& { return s.odoo.posting.receipt_done_window_h; }, 1, 720),
      choice_key("odoo.posting.short_receipts",
                 "backorder (Odoo keeps a transfer for what did not arrive) or close (the transfer is closed)",
                 [](Settings& s) -> std::string& { return s.odoo.posting.short_receipts; }, {"backorder", "close"}),
      choice_key("odoo.posting.unknown_lots",
                 "a lot Odoo does not know on a move other than a receipt: exception (waits for a person to map "
                 "it) or create (the lot is created in Odoo by name, as a receipt's is)",
                 [](Settings& s) -> std::string& { return s.odoo.posting.unknown_lots; }, {"exception", "create"}),
      Key{"odoo.locations", false, "barcodes of this site's stock locations in Odoo: [\"WARD3\", ...]",
          [](Settings&) { return std::string("[]"); },
          [](const Json& v, Settings& s) -> std::string {
            if (!v.is_array()) return "must be a list of location barcodes";
            std::vector<std::string> codes;
            for (const auto& code : v) {
              if (!code.is_string() || !is_identifier(code.get<std::string>())) {
                return "each location barcode is 1-64 letters, digits, '-', '_' or '.'";
              }
              codes.push_back(code.get<std::string>());
            }
            s.odoo.locations = std::move(codes);
            return {};
          },
          Json{{"type", "array"}, {"items", {{"type", "string"}, {"pattern", "^[A-Za-z0-9._-]{1,64}$"}}}}},
      Key{"odoo.categories", false,
          "Odoo product categories whose products all belong to this site's formulary, by full name: "
          "[\"All / Pharmacy / Controlled drugs\", ...] (subcategories included)",
          [](Settings&) { return std::string("[]"); },
          [](const Json& v, Settings& s) -> std::string {
            if (!v.is_array()) return "must be a list of category names such as \"All / Pharmacy\"";
            std::vector<std::string> names;
            for (const auto& name : v) {
              if (!name.is_string() || name.get<std::string>().empty() || name.get<std::string>().size() > 256) {
                return "each category is its full name as Odoo shows it, 1-256 characters";
              }
              names.push_back(name.get<std::string>());
            }
            s.odoo.categories = std::move(names);
            return {};
          },
          Json{{"type", "array"}, {"items", {{"type", "string"}, {"minLength", 1}, {"maxLength", 256}}}}},
      number_key<int>(
          "odoo.pull_interval_s", "seconds between incremental catalogue pulls",
          [](Settings& s) -> int& { return s.odoo.pull_interval_s; }, 10, 86'400),
      number_key<int>(
          "odoo.full_pull_interval_s", "seconds between full catalogue pulls",
          [](Settings& s) -> int& { return s.odoo.full_pull_interval_s; }, 60, std::int64_t{30} * 86'400),
      text_key("scanners.serial.device", "serial scanner device, e.g. /dev/ttyACM0 (empty: none)",
               [](Settings& s) -> std::string& { return s.scanners.serial_device; }),
      number_key<int>(
          "scanners.serial.baud", "serial speed", [](Settings& s) -> int& { return s.scanners.serial_baud; }, 1200,
          921'600),
      choice_key("scanners.serial.parity", "serial parity",
                 [](Settings& s) -> std::string& { return s.scanners.serial_parity; }, {"none", "even", "odd"}),
      text_key("scanners.hid.device",
               "evdev device of a USB HID scanner (/dev/input/by-id/...-event-kbd), read exclusively; empty: none",
               [](Settings& s) -> std::string& { return s.scanners.hid_device; }),
      choice_key("scanners.hid.layout", "keyboard layout the HID scanner is set to",
                 [](Settings& s) -> std::string& { return s.scanners.hid_layout; }, {"us", "de"}),
      choice_key("scanners.serial.terminator", "what ends a scan from the serial scanner: crlf (CR or LF), tab, etx",
                 [](Settings& s) -> std::string& { return s.scanners.serial_terminator; }, {"crlf", "tab", "etx"}),
      flag_key("scanners.keyboard_wedge", "read scans typed into standard input (a keyboard-wedge scanner)",
               [](Settings& s) -> bool& { return s.scanners.keyboard_wedge; }),
      text_key(
          "scanners.prefix.location", "prefix of the store's location labels",
          [](Settings& s) -> std::string& { return s.scanners.prefix_location; }, false),
      text_key(
          "scanners.prefix.operator", "prefix of operator badges",
          [](Settings& s) -> std::string& { return s.scanners.prefix_operator; }, false),
      text_key(
          "scanners.prefix.command", "prefix of command codes (CMD:ISSUE, CMD:QTY:5, ...)",
          [](Settings& s) -> std::string& { return s.scanners.prefix_command; }, false),
      text_key(
          "scanners.prefix.product", "prefix of product default-code labels",
          [](Settings& s) -> std::string& { return s.scanners.prefix_product; }, false),
      trusted_keys_key(),
      number_key<int>(
          "central.signature_threshold", "signatures of distinct trusted keys a config push needs",
          [](Settings& s) -> int& { return s.central.signature_threshold; }, 1, 16),
      flag_key("central.allow_unsigned", "accept unsigned config pushes: development only, shown in the status",
               [](Settings& s) -> bool& { return s.central.allow_unsigned; }),
      number_key<int>(
          "central.max_clock_skew_s", "a push issued more than this many seconds in the future is refused",
          [](Settings& s) -> int& { return s.central.max_clock_skew_s; }, 0, 86'400),
      number_key<int>(
          "central.max_push_bytes", "config pushes larger than this are refused unread",
          [](Settings& s) -> int& { return s.central.max_push_bytes; }, 1024, 1 << 20),
      number_key<int>(
          "central.health_window_s",
          "an applied push must be healthy (broker, Odoo, scanners, ledger) within this many seconds, or it is "
          "rolled back",
          [](Settings& s) -> int& { return s.central.health_window_s; }, 1, 3600),
      flag_key("http.enabled", "serve /healthz and /metrics (Prometheus) over HTTP on loopback",
               [](Settings& s) -> bool& { return s.http.enabled; }),
      text_key(
          "http.bind", "address of the health and metrics endpoint: loopback only (it has no login)",
          [](Settings& s) -> std::string& { return s.http.bind; }, false),
      number_key<int>(
          "http.port", "port of the health and metrics endpoint", [](Settings& s) -> int& { return s.http.port; }, 1,
          65535),
      text_key("session.default_location", "location used until one is scanned (the store this terminal serves)",
               [](Settings& s) -> std::string& { return s.session.default_location; }),
      text_key(
          "session.consumption_location", "where issued stock goes",
          [](Settings& s) -> std::string& { return s.session.consumption_location; }, false),
      text_key(
          "session.receipt_source", "where received stock comes from",
          [](Settings& s) -> std::string& { return s.session.receipt_source; }, false),
      flag_key("session.block_expired_issue", "refuse to issue an expired lot (false: warn and record)",
               [](Settings& s) -> bool& { return s.session.block_expired_issue; }),
      number_key<int>(
          "session.auto_confirm_s", "confirm open lines after this many quiet seconds (0: by command)",
          [](Settings& s) -> int& { return s.session.auto_confirm_s; }, 0, 3600),
      number_key<int>(
          "session.idle_logout_s",
          "sign the operator out (open lines cancelled) after this many seconds without a scan (0: never)",
          [](Settings& s) -> int& { return s.session.idle_logout_s; }, 0, 86'400),
      operators_key(),
      string_map_key("session.cost_centres", "location -> cost centre of its issues",
                     [](Settings& s) -> std::map<std::string, std::string>& { return s.session.cost_centres; }),
      gln_locations_key(),
      text_key("session.encounter_key_file",
               "file holding the site's secret that turns a patient's wristband into an encounter reference "
               "(empty: wristbands are refused)",
               [](Settings& s) -> std::string& { return s.session.encounter_key_file; }),
      recalled_key(),
      number_key<int>(
          "alerts.expiry_days", "alert about lots on the shelf that expire within this many days",
          [](Settings& s) -> int& { return s.alerts.expiry_days; }, 0, 3650),
      number_key<std::int64_t>(
          "alerts.database_budget", "alert when the ledger grows past this many bytes (0: never)",
          [](Settings& s) -> std::int64_t& { return s.alerts.database_budget; }, 0, std::int64_t{1} << 50),
  };
  return kTable;
}

// Finds a dotted key in a JSON object; nullptr when absent.
const Json* find(const Json& document, std::string_view path) {
  const Json* node = &document;
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string part(path.substr(0, dot));
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return node;
}

// Every leaf key of the document that the table does not know.
void unknown_keys(const Json& node, const std::string& prefix, Problems& problems) {
  for (const auto& [name, value] : node.items()) {
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    bool known_leaf = false;
    bool known_group = false;
    for (const auto& key : keys()) {
      const std::string k = key.path;
      known_leaf |= k == path;
      known_group |= k.rfind(path + ".", 0) == 0;
    }
    if (known_group && value.is_object()) {
      unknown_keys(value, path, problems);
    } else if (!known_leaf) {
      problems.push_back(path + ": unknown key");
    }
  }
}

// Posting needs to know where each kind of move goes in Odoo.
void check_posting(const Settings& s, Problems& problems) {
  const auto& p = s.odoo.posting;
  if (!s.odoo.enabled || !p.enabled) return;
  const std::pair<const char*, std::int64_t> needed[] = {
      {"supplier_location_id", p.supplier_location}, {"inventory_loss_location_id", p.inventory_loss_location},
      {"scrap_location_id", p.scrap_location},       {"picking_type.incoming", p.incoming_type},
      {"picking_type.internal", p.internal_type},    {"picking_type.outgoing", p.outgoing_type}};
  for (const auto& [name, id] : needed) {
    if (id == 0)
      problems.push_back(std::string("odoo.posting.") + name + ": required when odoo.posting.enabled is true");
  }
  if (p.consumption_location == 0 && p.cost_centre_locations.empty()) {
    problems.push_back(
        "odoo.posting.consumption_location_id: required when odoo.posting.enabled is true (or map every cost centre "
        "in odoo.posting.cost_centre_locations)");
  }
}

// Secrets never cross the network in clear unless IT says so by name.
bool is_cleartext(const std::string& uri) {
  return !broker_uses_tls(uri);
}

void check_cleartext(const Settings& s, Problems& problems) {
  auto check_broker = [&](const char* key, const std::string& uri) {
    if (s.mqtt.enabled && is_cleartext(uri) && !s.mqtt.password_file.empty() && !is_loopback_host(host_of(uri)) &&
        !s.mqtt.allow_cleartext_password) {
      problems.push_back(std::string(key) + ": " + uri +
                         " would carry the broker password unencrypted; use ssl://host:8883 (or set "
                         "mqtt.allow_cleartext_password to accept the risk)");
    }
  };
  check_broker("mqtt.broker", s.mqtt.broker);
  for (const auto& node : s.mqtt.brokers) {
    check_broker("mqtt.brokers", node);
    // One TLS setting serves every node: they are all TLS or none is.
    if (is_cleartext(node) != is_cleartext(s.mqtt.broker)) {
      problems.push_back("mqtt.brokers: " + node + " and mqtt.broker " + s.mqtt.broker +
                         " must all use TLS or all not (one mqtt.tls serves every node)");
    }
  }
  if (!s.odoo.url.starts_with("https://") && !s.odoo.url.starts_with("http://")) {
    problems.push_back("odoo.url: " + s.odoo.url + " must start with https:// (or http:// on this machine)");
  }
  if (s.odoo.enabled && s.odoo.url.starts_with("http://") && !is_loopback_host(host_of(s.odoo.url)) &&
      !s.odoo.allow_cleartext_api_key) {
    problems.push_back("odoo.url: " + s.odoo.url +
                       " would carry the API key unencrypted; use https:// (or set odoo.allow_cleartext_api_key "
                       "to accept the risk)");
  }
}

}  // namespace

std::expected<Settings, Problems> parse_settings(std::string_view json_text) {
  Json document;
  try {
    document = Json::parse(json_text);
  } catch (const Json::parse_error& error) {
    return std::unexpected(Problems{std::string("not valid JSON: ") + error.what()});
  }
  if (!document.is_object()) return std::unexpected(Problems{"the config must be a JSON object"});
  Settings settings;
  Problems problems;
  for (const auto& key : keys()) {
    const Json* value = find(document, key.path);
    if (value == nullptr) {
      if (key.required) problems.push_back(std::string(key.path) + ": required");
      continue;
    }
    if (auto problem = key.apply(*value, settings); !problem.empty()) {
      problems.push_back(std::string(key.path) + ": " + problem);
    }
  }
  unknown_keys(document, "", problems);
  if (settings.ledger.max_bytes != 0 && settings.ledger.max_bytes < (std::int64_t{1} << 20)) {
    problems.push_back("ledger.max_bytes: must be 0 or at least 1048576 (1 MiB)");
  }
  if (settings.mqtt.reconnect_max_ms < settings.mqtt.reconnect_min_ms) {
    problems.push_back("mqtt.reconnect_max_ms: must not be below mqtt.reconnect_min_ms");
  }
  if (settings.mqtt.tls.cert_file.empty() != settings.mqtt.tls.key_file.empty()) {
    problems.push_back("mqtt.tls.cert_file and mqtt.tls.key_file: give both or neither");
  }
  if (!is_loopback_host(settings.http.bind)) {
    problems.push_back("http.bind: " + settings.http.bind +
                       " is not a loopback address; the health and metrics endpoint has no login and TLS, so it "
                       "listens on this machine only (a Prometheus agent on the terminal can forward it)");
  }
  check_cleartext(settings, problems);
  check_posting(settings, problems);
  if (!problems.empty()) return std::unexpected(std::move(problems));
  return settings;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr address{};
  const std::string text(host);
  return host.starts_with("127.") && ::inet_pton(AF_INET, text.c_str(), &address) == 1;
}

bool broker_uses_tls(std::string_view uri) {
  return uri.starts_with("ssl://") || uri.starts_with("mqtts://") || uri.starts_with("wss://");
}

std::string host_of(std::string_view uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto rest = uri.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return std::string(rest.substr(0, rest.find(']') + 1));
  return std::string(rest.substr(0, rest.find(':')));
}

std::expected<std::string, std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected("cannot read config file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::expected<Settings, Problems> load_settings_file(const std::filesystem::path& path) {
  const auto text = read_text_file(path);
  if (!text) return std::unexpected(Problems{text.error()});
  auto parsed = parse_settings(*text);
  if (!parsed) {
    for (auto& problem : parsed.error()) problem = path.string() + ": " + problem;
  }
  return parsed;
}

std::vector<KeyDoc> describe_keys() {
  Settings defaults;
  std::vector<KeyDoc> docs;
  for (const auto& key : keys()) {
    docs.push_back({key.path, key.show_default(defaults), key.meaning, is_local_only(key.path),
                    key.schema.is_null() ? std::string("{}") : key.schema.dump()});
  }
  return docs;
}

bool is_local_only(std::string_view path) {
  return path == "site" || path == "terminal" || path == "ledger.path" || path == "central" ||
         path.starts_with("central.");
}

}  // namespace edgestock::config
