#include "edgestock/sync/odoo_client.hpp"

#include <curl/curl.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "edgestock/storage/dates.hpp"

namespace edgestock::sync {
namespace {

using Json = nlohmann::json;

struct CurlDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

// The answer being received, never more than `cap` bytes of it.
struct Incoming {
  std::string* body = nullptr;
  std::size_t cap = 0;
  bool too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  auto& incoming = *static_cast<Incoming*>(out);
  if (incoming.body->size() + size * count > incoming.cap) {
    incoming.too_large = true;
    return 0;  // libcurl stops the transfer (CURLE_WRITE_ERROR)
  }
  incoming.body->append(data, size * count);
  return size * count;
}

OdooReply transient(std::string name, std::string message) {
  return {OdooOutcome::transient, {}, std::move(name), std::move(message)};
}
OdooReply permanent(std::string name, std::string message) {
  return {OdooOutcome::permanent, {}, std::move(name), std::move(message)};
}

// Odoo's exception names that are worth a retry: the server gave up on a
// concurrent update; the same call later will likely pass.
// Methods that change nothing: safe to send twice.
bool is_read_only(const std::string& method) {
  return method == "search" || method == "search_read" || method == "search_count" || method == "read" ||
         method == "fields_get" || method == "name_search" || method == "context_get" || method == "web_search_read";
}

bool is_transient_error(const std::string& name) {
  return name.find("SerializationFailure") != std::string::npos || name.find("LockNotAvailable") != std::string::npos ||
         name.find("DeadlockDetected") != std::string::npos || name.find("LockError") != std::string::npos ||
         name.find("ConcurrencyError") != std::string::npos;
}

// A Python programming error raised by Odoo (a field or method the model
// does not have, a wrong argument): the same call fails the same way forever,
// although JSON-2 answers it with HTTP 500.
bool is_repeating_fault(const std::string& name) {
  return name == "builtins.ValueError" || name == "builtins.TypeError" || name == "builtins.KeyError" ||
         name == "builtins.AttributeError" || name == "builtins.IndexError";
}

OdooReply from_error_object(const Json& data, long status) {
  const std::string name = data.value("name", std::string("unknown"));
  std::string message = data.value("message", std::string());
  if (message.empty() && status != 0) message = "HTTP " + std::to_string(status);
  return is_transient_error(name) ? transient(name, message) : permanent(name, message);
}

}  // namespace

class OdooClient::Impl {
 public:
  Impl(const config::OdooSettings& settings, std::string api_key)
      : settings_(settings), api_key_(std::move(api_key)), curl_(curl_easy_init()) {
    while (!settings_.url.empty() && settings_.url.back() == '/') settings_.url.pop_back();
  }

  // One HTTP exchange on the kept-alive connection. Returns the status, or
  // 0 with `error` set when no answer came.
  long exchange(const std::string& path, const std::string* body, const std::string* bearer, std::string& response,
                std::string& error, bool may_repeat = true) {
    CURL* c = curl_.get();
    curl_easy_reset(c);
    // libcurl silently sends a request again when a kept-alive connection
    // dies before any answer: harmless for a read, a double posting for a
    // write whose answer was lost after Odoo committed it. Writes go on a
    // fresh connection, which libcurl never retries.
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, may_repeat ? 0L : 1L);
    const std::string url = settings_.url + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout_ms));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout_ms));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, settings_.verify ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, settings_.verify ? 2L : 0L);
    if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
    // HTTP(S) only, redirects included: a URL or a redirect to file://,
    // gopher:// or smtp:// is never followed.
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // Every answer is bounded: by its announced length, and while it arrives.
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(settings_.max_reply_bytes));
    Incoming incoming{&response, static_cast<std::size_t>(settings_.max_reply_bytes)};
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &incoming);
    std::unique_ptr<curl_slist, HeaderListDeleter> headers;
    if (body != nullptr) {
      curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
      if (bearer != nullptr) list = curl_slist_append(list, ("Authorization: bearer " + *bearer).c_str());
      list = curl_slist_append(list, ("X-Odoo-Database: " + settings_.database).c_str());
      headers.reset(list);
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    }
    const CURLcode rc = curl_easy_perform(c);
    last_too_large_ = incoming.too_large || rc == CURLE_FILESIZE_EXCEEDED;
    if (last_too_large_) {
      error = "Odoo's answer is larger than odoo.max_reply_bytes (" + std::to_string(settings_.max_reply_bytes) +
              " bytes); it was not read";
      return 0;
    }
    if (rc != CURLE_OK) {
      // curl's own words about the transport; never the request (it holds the key).
      error = std::string(curl_easy_strerror(rc)) + " (" + settings_.url + ")";
      return 0;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    // Odoo's clock, whole seconds (RFC 9110 Date), for the terminal's clock check.
    curl_header* date = nullptr;
    if (server_time_ && curl_easy_header(c, "Date", 0, CURLH_HEADER, -1, &date) == CURLHE_OK && date != nullptr) {
      if (const auto at = storage::parse_http_date(date->value)) server_time_(*at);
    }
    return status;
  }

  OdooReply jsonrpc(const std::string& service, const std::string& method, const Json& args, bool may_repeat = true) {
    const Json request{{"jsonrpc", "2.0"},
                       {"method", "call"},
                       {"id", ++request_id_},
                       {"params", {{"service", service}, {"method", method}, {"args", args}}}};
    const std::string body = request.dump();
    std::string response;
    std::string error;
    const long status = exchange("/jsonrpc", &body, nullptr, response, error, may_repeat);
    if (status == 0) return no_answer(error);
    if (status >= 500 || status == 429 || status == 408)
      return transient("http " + std::to_string(status), "HTTP " + std::to_string(status) + " from Odoo");
    if (status != 200)
      return permanent("http " + std::to_string(status), "HTTP " + std::to_string(status) + " from Odoo");
    Json reply;
    try {
      reply = Json::parse(response);
    } catch (const Json::parse_error&) {
      return transient("bad reply", "Odoo's answer is not JSON (a proxy in between?)");
    }
    if (reply.contains("error")) {
      const auto& e = reply["error"];
      if (e.contains("data") && e["data"].is_object()) return from_error_object(e["data"], 0);
      return permanent("error " + std::to_string(e.value("code", 0)), e.value("message", std::string("error")));
    }
    // A method returning None has no "result" at all.
    return {OdooOutcome::ok, reply.contains("result") ? reply["result"].dump() : "null", {}, {}};
  }

  OdooReply json2(const std::string& model, const std::string& method, const std::string& params_json) {
    std::string response;
    std::string error;
    const long status =
        exchange("/json/2/" + model + "/" + method, &params_json, &api_key_, response, error, is_read_only(method));
    if (status == 0) return no_answer(error);
    if (status == 200) {
      return {OdooOutcome::ok, response.empty() ? "null" : response, {}, {}};
    }
    Json data;
    try {
      data = Json::parse(response);
    } catch (const Json::parse_error&) {
      data = Json::object();
    }
    if (status >= 500 || status == 409 || status == 429 || status == 408) {
      auto reply = data.is_object() && data.contains("name") ? from_error_object(data, status) : OdooReply{};
      if (is_repeating_fault(reply.error_name)) return permanent(reply.error_name, reply.message);
      return transient(reply.error_name.empty() ? "http " + std::to_string(status) : reply.error_name,
                       reply.message.empty() ? "HTTP " + std::to_string(status) + " from Odoo" : reply.message);
    }
    if (data.is_object() && data.contains("name")) return from_error_object(data, status);
    return permanent("http " + std::to_string(status), "HTTP " + std::to_string(status) + " from Odoo");
  }

  OdooReply connect() {
    if (!curl_) return permanent("curl", "libcurl could not start");
    std::string response;
    std::string error;
    const long status = exchange("/web/version", nullptr, nullptr, response, error);
    if (status == 0) return no_answer(error);
    if (status != 200)
      return transient("http " + std::to_string(status), "GET /web/version answered " + std::to_string(status));
    try {
      major_ = Json::parse(response).at("version_info").at(0).get<int>();
    } catch (const std::exception&) {
      return permanent("bad reply", "GET /web/version did not answer like Odoo");
    }
    protocol_ = settings_.protocol == "json2"     ? OdooProtocol::json2
                : settings_.protocol == "jsonrpc" ? OdooProtocol::jsonrpc
                : major_ >= 19                    ? OdooProtocol::json2
                                                  : OdooProtocol::jsonrpc;
    if (protocol_ == OdooProtocol::json2) {
      // A cheap authenticated call checks the key.
      auto check = json2("res.users", "context_get", "{}");
      if (check.outcome == OdooOutcome::permanent && check.error_name.find("Unauthorized") != std::string::npos) {
        return permanent(check.error_name, "Odoo refused the API key (check odoo.api_key_file)");
      }
      return {OdooOutcome::ok, std::to_string(major_), {}, {}};
    }
    auto login =
        jsonrpc("common", "authenticate", Json::array({settings_.database, settings_.login, api_key_, Json::object()}));
    if (!login.ok()) return login;
    const auto uid = Json::parse(login.result);
    if (!uid.is_number_integer()) {
      return permanent(
          "odoo.exceptions.AccessDenied",
          "Odoo refused login '" + settings_.login + "' with the API key (check odoo.login and odoo.api_key_file)");
    }
    uid_ = uid.get<int>();
    return {OdooOutcome::ok, std::to_string(major_), {}, {}};
  }

  OdooReply call(const std::string& model, const std::string& method, const std::string& params_json) {
    if (protocol_ == OdooProtocol::json2) return json2(model, method, params_json);
    Json params;
    try {
      params = Json::parse(params_json);
    } catch (const Json::parse_error& e) {
      return permanent("bad parameters", std::string("the call's parameters are not JSON: ") + e.what());
    }
    Json args = Json::array();
    if (params.contains("ids")) {
      args.push_back(params["ids"]);
      params.erase("ids");
    }
    return jsonrpc("object", "execute_kw",
                   Json::array({settings_.database, uid_, api_key_, model, method, args, params}),
                   is_read_only(method));
  }

  config::OdooSettings settings_;
  std::string api_key_;
  std::unique_ptr<CURL, CurlDeleter> curl_;
  int major_ = 0;
  int uid_ = 0;
  int request_id_ = 0;
  bool last_too_large_ = false;  // the last exchange's answer was over the cap
  std::function<void(std::int64_t)> server_time_;

  // No usable answer: a transport failure may pass; an answer over the cap
  // would be as large next time.
  OdooReply no_answer(const std::string& error) const {
    return last_too_large_ ? permanent("reply too large", error) : transient("network", error);
  }
  OdooProtocol protocol_ = OdooProtocol::jsonrpc;
};

OdooClient::OdooClient(const config::OdooSettings& settings, std::string api_key)
    : impl_(std::make_unique<Impl>(settings, std::move(api_key))) {}
OdooClient::~OdooClient() = default;
// Whatever shape an answer has, a call returns a reply: an answer that is not
// what Odoo sends (a field of the wrong type, a proxy's page) is a permanent
// error naming the model and method, never an exception.
namespace {
template <typename Call>
OdooReply guarded(const std::string& what, Call call) {
  try {
    return call();
  } catch (const std::exception& error) {
    return permanent("bad reply", "Odoo's answer to " + what + " is not what Odoo sends: " + error.what());
  }
}
}  // namespace

OdooReply OdooClient::counted(OdooReply reply) {
  auto& n = reply.outcome == OdooOutcome::ok          ? counts_.ok
            : reply.outcome == OdooOutcome::transient ? counts_.transient
                                                      : counts_.permanent;
  ++n;
  return reply;
}

OdooReply OdooClient::connect() {
  return counted(guarded("the login", [&] { return impl_->connect(); }));
}
int OdooClient::server_major_version() const {
  return impl_->major_;
}
OdooProtocol OdooClient::protocol() const {
  return impl_->protocol_;
}
OdooReply OdooClient::call(const std::string& model, const std::string& method, const std::string& params_json) {
  return counted(guarded(model + "." + method, [&] { return impl_->call(model, method, params_json); }));
}
void OdooClient::on_server_time(std::function<void(std::int64_t)> observer) {
  impl_->server_time_ = std::move(observer);
}

}  // namespace edgestock::sync
