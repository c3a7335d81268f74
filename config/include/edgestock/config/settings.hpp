#pragma once
// The agent's settings: what a config file (and later a signed MQTT push)
// may set, each key with its default and its rule. Parsing is pure: text in,
// settings or the full list of problems out.

#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgestock::config {

struct LedgerSettings {
  std::string path = "/var/lib/edgestock/ledger.db";
  std::string durability = "full";  // full | normal
  std::int64_t max_bytes = 0;       // 0: no cap
  int retention_days = 90;          // delivered moves older than this are pruned; 0: keep all

  bool operator==(const LedgerSettings&) const = default;
};

struct TlsSettings {
  std::string ca_file;    // empty: the system's CA store
  std::string cert_file;  // client certificate, for brokers that require one
  std::string key_file;
  bool verify = true;  // check the broker's certificate and host name

  bool operator==(const TlsSettings&) const = default;
};

struct MqttSettings {
  bool enabled = false;
  std::string broker = "tcp://localhost:1883";  // ssl://host:8883 for TLS
  // More nodes of the same broker cluster, tried in turn after `broker` when
  // it cannot be reached (each connect goes through the list; a lost
  // connection fails over to the next node that answers).
  std::vector<std::string> brokers;
  int version = 4;  // 4: MQTT 3.1.1, 5: MQTT 5
  std::string prefix = "edgestock";
  std::string username;
  std::string password_file;  // the password, alone in a file readable by the service user
  // A password over tcp:// to a host that is not loopback is refused unless this is set.
  bool allow_cleartext_password = false;
  TlsSettings tls;
  int keepalive_s = 30;
  int session_expiry_s = 7 * 24 * 3600;  // MQTT 5: how long the broker keeps the session offline
  int window = 100;                      // events published and not yet acknowledged
  int reconnect_min_ms = 500;
  int reconnect_max_ms = 60'000;
  int status_interval_s = 60;
  std::int64_t backlog_alert = 10'000;  // alert when more events than this wait

  bool operator==(const MqttSettings&) const = default;
};

struct AlertSettings {
  int expiry_days = 30;              // warn about lots on the shelf expiring within this many days
  std::int64_t database_budget = 0;  // bytes; 0: no size alert

  bool operator==(const AlertSettings&) const = default;
};

// Where moves are booked in Odoo: ids of records of the site's Odoo (they are
// virtual locations, usually without a barcode to find them by).
struct PostingSettings {
  bool enabled = false;                   // with odoo.enabled: post the moves (else only pull the catalogue)
  int interval_s = 60;                    // a posting round at most this often
  std::int64_t supplier_location = 0;     // receipts with no expected transfer come from here
  std::int64_t consumption_location = 0;  // issues without a cost centre (or no cost centres mapped)
  std::map<std::string, std::int64_t> cost_centre_locations;  // cost centre -> its consumption location
  std::int64_t inventory_loss_location = 0;                   // counts and adjustments
  std::int64_t scrap_location = 0;
  std::int64_t incoming_type = 0;  // stock.picking.type ids
  std::int64_t internal_type = 0;
  std::int64_t outgoing_type = 0;
  int batch_window_s = 86'400;  // a picking spans at most this much scanning
  int batch_max_moves = 500;
  // Receipts against the transfers Odoo expects into the store: one is posted
  // when all it expects has arrived or after this long without a scan of it.
  int receipt_quiet_s = 1800;
  int receipt_done_window_h = 72;            // one-step transfers done at dispatch this recently are confirmed
  std::string short_receipts = "backorder";  // backorder: Odoo keeps a transfer for the rest; close: it is closed
  std::string unknown_lots = "exception";    // a lot Odoo lacks on an issue, transfer, ...: exception or create

  bool operator==(const PostingSettings&) const = default;
};

struct OdooSettings {
  bool enabled = false;
  std::string url = "https://erp.example.hospital";  // scheme, host and port; no path
  std::string database = "hospital";
  std::string login = "edgestock";
  std::string api_key_file;       // the API key, alone in a file readable by the service user
  std::string protocol = "auto";  // auto (JSON-2 on 19+, else JSON-RPC), jsonrpc, json2
  // An http:// URL to a host that is not loopback is refused unless this is set.
  bool allow_cleartext_api_key = false;
  std::string ca_file;  // empty: the system's CA store
  bool verify = true;   // verify the server's certificate and host name
  int connect_timeout_ms = 5000;
  int timeout_ms = 30'000;
  std::int64_t max_reply_bytes = std::int64_t{32} << 20;  // a larger answer is refused, not held in memory
  std::vector<std::string> locations;                     // barcodes of this site's stock locations in Odoo
  std::vector<std::string> categories;                    // product categories (complete names) wholly in the formulary
  int pull_interval_s = 900;                              // incremental catalogue pull
  int full_pull_interval_s = 86'400;  // full pull (Odoo can merge quants without touching write_date)
  PostingSettings posting;
  int reconcile_interval_s = 21'600;  // reconciliation while the agent runs (with posting); 0: never

  bool operator==(const OdooSettings&) const = default;
};

struct ScannerSettings {
  bool tcp_enabled = false;  // scans as lines over TCP (network scanners, tests)
  std::string tcp_bind = "127.0.0.1";
  int tcp_port = 7070;
  int tcp_max_connections = 8;
  int tcp_idle_timeout_s = 1800;  // a connection quiet this long is closed
  std::string unix_socket;        // a Unix socket for local scanner bridges (mode 0660); empty: none
  std::string serial_device;      // empty: no serial scanner
  int serial_baud = 9600;
  std::string serial_parity = "none";      // none, even, odd
  std::string serial_terminator = "crlf";  // what ends a scan: crlf (CR or LF), tab, etx
  bool keyboard_wedge = false;             // scans typed into standard input
  std::string hid_device;                  // evdev of a USB HID scanner, grabbed exclusively
  std::string hid_layout = "us";           // the keyboard layout the scanner is set to: us, de
  std::string prefix_location = "LOC:";
  std::string prefix_operator = "OP:";
  std::string prefix_command = "CMD:";
  std::string prefix_product = "PC:";

  bool operator==(const ScannerSettings&) const = default;
};

struct SessionSettings {
  std::string default_location;
  std::string consumption_location = "CONSUME";
  std::string receipt_source = "SUPPLIER";
  bool block_expired_issue = true;
  int auto_confirm_s = 0;   // 0: confirm by command only
  int idle_logout_s = 600;  // sign the operator out after this long without a scan; 0: never
  // badge -> the actions it may take: receive, issue, transfer, count
  std::map<std::string, std::vector<std::string>> operators;
  std::map<std::string, std::string> cost_centres;                 // location -> cost centre
  std::vector<std::pair<std::string, std::string>> recalled_lots;  // (GTIN-14, lot)
  // GS1 location labels: "GLN" or "GLN/EXT" (AI 414 with its 254) -> location
  std::map<std::string, std::string> gln_locations;
  // The site's secret that turns a patient's wristband GSRN into the moves'
  // encounter reference (HMAC-SHA-256); empty: wristbands are refused.
  std::string encounter_key_file;

  bool operator==(const SessionSettings&) const = default;
};

// The agent's read-only HTTP endpoint: /healthz and /metrics (Prometheus).
struct HttpSettings {
  bool enabled = false;
  std::string bind = "127.0.0.1";  // loopback only: the endpoint has no login
  int port = 9750;

  bool operator==(const HttpSettings&) const = default;
};

// Config pushed by central IT over MQTT (push.hpp): who may sign it. Only in
// the local file: a push can never change whom the terminal trusts (key
// rotation documents aside).
struct CentralSettings {
  std::vector<std::string> trusted_keys;  // Ed25519 public keys, base64 of their 32 bytes
  int signature_threshold = 1;            // signatures of distinct trusted keys a push needs
  bool allow_unsigned = false;            // development only: the status message says so
  int max_clock_skew_s = 300;             // a push issued further in the future is refused
  int max_push_bytes = 65'536;
  int health_window_s = 60;  // an applied push must prove healthy within this, or it is rolled back

  bool operator==(const CentralSettings&) const = default;
};

struct Settings {
  std::string site;
  std::string terminal;
  LedgerSettings ledger;
  MqttSettings mqtt;
  OdooSettings odoo;
  AlertSettings alerts;
  ScannerSettings scanners;
  SessionSettings session;
  HttpSettings http;
  CentralSettings central;

  bool operator==(const Settings&) const = default;
};

// Each problem names the key and what is wrong with it.
using Problems = std::vector<std::string>;

// Parses a JSON config document. Unknown keys are problems too: a typo must
// not silently fall back to a default.
std::expected<Settings, Problems> parse_settings(std::string_view json_text);

// True for localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine.
bool is_loopback_host(std::string_view host);
// True for a broker URI over TLS (ssl://, mqtts://, wss://): the one rule
// for the agent, the settings checks and the commands that reach a broker.
bool broker_uses_tls(std::string_view uri);
// The host of "scheme://[user@]host[:port][/path]" ("" when there is none).
std::string host_of(std::string_view uri);

// The whole text of a file, or "cannot read config file PATH".
std::expected<std::string, std::string> read_text_file(const std::filesystem::path& path);

// Reads and parses a file; a missing or unreadable file is one problem.
std::expected<Settings, Problems> load_settings_file(const std::filesystem::path& path);

// The keys, their defaults and their meaning, for `edgestock config-keys` and docs.
struct KeyDoc {
  std::string key;
  std::string default_value;
  std::string meaning;
  bool local_only = false;  // set only in the terminal's own file, never pushed
  std::string schema;       // the JSON Schema of its value
};
std::vector<KeyDoc> describe_keys();

// Keys (or groups) that only the terminal's own file may set: the site, the
// terminal, the ledger's path and whom the terminal trusts (central.*).
bool is_local_only(std::string_view dotted_path);

}  // namespace edgestock::config
