#include "ledger_commands.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "edgestock/config/settings.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/dates.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/storage/outbox.hpp"
#include "ledger_settings.hpp"

namespace edgestock::agent {
namespace {

using Json = nlohmann::json;

struct Opened {
  config::Settings settings;
  std::unique_ptr<storage::Ledger> ledger;
};

// The configured ledger, read only (works while the agent runs).
std::optional<Opened> open_ledger(const Command& command, const char* verb, const storage::Clock& clock,
                                  std::ostream& err) {
  auto settings = config::load_settings_file(command.config_path);
  if (!settings) {
    err << "edgestock " << verb << ": invalid configuration:";
    for (const auto& problem : settings.error()) err << "\n  " << problem;
    err << "\n";
    return std::nullopt;
  }
  auto ledger = storage::Ledger::open(ledger_options(*settings, true), clock);
  if (!ledger) {
    err << "edgestock " << verb << ": " << ledger.error().message << "\n";
    return std::nullopt;
  }
  return Opened{*settings, std::move(*ledger)};
}

std::vector<std::string> destinations(const config::Settings& s) {
  std::vector<std::string> out;
  if (s.mqtt.enabled) out.emplace_back("mqtt");
  if (s.odoo.enabled && s.odoo.posting.enabled) out.emplace_back("odoo");
  return out;
}

std::string age(std::int64_t ms) {
  if (ms < 60'000) return std::to_string(ms / 1000) + " s";
  if (ms < 3'600'000) return std::to_string(ms / 60'000) + " min";
  if (ms < 86'400'000) return std::to_string(ms / 3'600'000) + " h";
  return std::to_string(ms / 86'400'000) + " d";
}

// GET /healthz of the running agent (loopback, http.enabled): its own view of
// broker, Odoo and scanners. Nothing when it does not answer.
std::optional<Json> agent_health(const config::HttpSettings& http) {
  if (!http.enabled) return std::nullopt;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(http.port));
  const auto host = http.bind == "localhost" ? std::string("127.0.0.1") : http.bind;
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string reply;
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) == 1 &&
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    const std::string request = "GET /healthz HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n = 0; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0 && reply.size() < 65'536;) {
        reply.append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  const auto body = reply.find("\r\n\r\n");
  if (body == std::string::npos) return std::nullopt;
  auto json = Json::parse(reply.substr(body + 4), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

}  // namespace

std::optional<std::int64_t> parse_since(std::string_view text, std::int64_t now_ms) {
  if (text.size() >= 2 && (text.back() == 'm' || text.back() == 'h' || text.back() == 'd')) {
    std::int64_t n = 0;
    const auto digits = text.substr(0, text.size() - 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (error != std::errc() || end != digits.data() + digits.size() || n < 0 || n > 36'500) return std::nullopt;
    const std::int64_t unit = text.back() == 'm' ? 60'000 : text.back() == 'h' ? 3'600'000 : 86'400'000;
    return now_ms - n * unit;
  }
  std::string odoo(text);
  if (odoo.size() == 10) odoo += " 00:00:00";
  if (odoo.size() == 20 && odoo[10] == 'T' && odoo[19] == 'Z') {
    odoo[10] = ' ';
    odoo.pop_back();
  }
  return storage::parse_odoo_datetime(odoo);
}

int run_moves(const Command& c, std::ostream& out, std::ostream& err) {
  storage::SystemClock clock;
  std::optional<std::int64_t> since;
  if (!c.since.empty()) {
    since = parse_since(c.since, clock.now_ms());
    if (!since) {
      err << "edgestock moves: --since " << c.since << ": give a date (2026-12-03), a UTC time (2026-12-03T08:00:00Z) "
          << "or a time ago (90m, 8h, 2d)\n";
      return 2;
    }
  }
  if (!c.kind.empty() && !storage::parse_move_kind(c.kind)) {
    err << "edgestock moves: --kind " << c.kind
        << ": one of receipt, issue, transfer, count, adjust, scrap, return_to_store, reversal\n";
    return 2;
  }
  const auto opened = open_ledger(c, "moves", clock, err);
  if (!opened) return 1;
  auto& ledger = *opened->ledger;
  // The newest `limit` moves that pass the filters, read in pages from the start.
  std::deque<storage::Move> kept;
  storage::Seq after{0};
  for (;;) {
    const auto page = ledger.moves_after(after, 1000);
    if (!page) {
      err << "edgestock moves: " << page.error().message << "\n";
      return 1;
    }
    if (page->empty()) break;
    for (const auto& move : *page) {
      const auto& r = move.request;
      const bool pass = (!since || move.occurred_at_ms >= *since) &&
                        (c.kind.empty() || storage::to_string(r.kind) == c.kind) &&
                        (c.product_text.empty() || r.product.gtin == c.product_text ||
                         r.product.code == c.product_text || r.product.key() == c.product_text) &&
                        (c.badge.empty() || r.operator_id.str() == c.badge);
      if (!pass) continue;
      kept.push_back(move);
      if (kept.size() > static_cast<std::size_t>(c.limit)) kept.pop_front();
    }
    after = page->back().seq;
  }
  // State per destination: queued, in the exception queue, or delivered.
  std::map<std::string, std::map<std::int64_t, std::string>> queued;
  for (const auto& destination : destinations(opened->settings)) {
    if (kept.empty()) break;
    const auto states = ledger.outbox().states(destination, kept.front().seq, kept.back().seq);
    if (!states) {
      err << "edgestock moves: " << states.error().message << "\n";
      return 1;
    }
    queued[destination] = *states;
  }
  auto state_of = [&](const std::string& destination, std::int64_t seq) {
    const auto& map = queued[destination];
    const auto found = map.find(seq);
    return found == map.end()           ? std::string("sent")
           : found->second == "pending" ? std::string("waiting")
                                        : found->second;
  };
  if (c.json) {
    Json all = Json::array();
    for (const auto& m : kept) {
      const auto& r = m.request;
      Json row{{"seq", m.seq.value},
               {"id", m.id.str()},
               {"at", storage::rfc3339_ms(m.occurred_at_ms)},
               {"kind", storage::to_string(r.kind)},
               {"product", r.product.key()},
               {"lot", r.lot},
               {"qty", r.qty.to_string()},
               {"from", r.from.str()},
               {"to", r.to.str()},
               {"operator", r.operator_id.str()}};
      for (const auto& [destination, _] : queued) row["state"][destination] = state_of(destination, m.seq.value);
      all.push_back(std::move(row));
    }
    out << all.dump() << "\n";
    return 0;
  }
  if (kept.empty()) {
    out << "no moves match\n";
    return 0;
  }
  for (const auto& m : kept) {
    const auto& r = m.request;
    out << "#" << m.seq.value << "  " << storage::rfc3339_ms(m.occurred_at_ms) << "  " << storage::to_string(r.kind)
        << "  " << r.qty.to_string() << " x " << r.product.key() << (r.lot.empty() ? "" : " lot " + r.lot) << "  "
        << r.from.str() << " -> " << r.to.str() << "  by " << r.operator_id.str();
    for (const auto& [destination, _] : queued)
      out << "  " << destination << ": " << state_of(destination, m.seq.value);
    out << "\n";
  }
  return 0;
}

int run_status(const Command& c, std::ostream& out, std::ostream& err) {
  storage::SystemClock clock;
  const auto opened = open_ledger(c, "status", clock, err);
  if (!opened) return 1;
  auto& ledger = *opened->ledger;
  const auto now = clock.now_ms();
  Json status{{"site", opened->settings.site},
              {"terminal", opened->settings.terminal},
              {"ledger", ledger.options().path.string()},
              {"last_seq", ledger.last_seq().value}};
  bool trouble = false;
  for (const auto& destination : destinations(opened->settings)) {
    const auto depth = ledger.outbox().depth(destination);
    if (!depth) {
      err << "edgestock status: " << depth.error().message << "\n";
      return 1;
    }
    status["destinations"][destination] = {
        {"waiting", depth->pending},
        {"exceptions", depth->exceptions},
        {"oldest_waiting_s", depth->oldest_pending_ms > 0 ? Json((now - depth->oldest_pending_ms) / 1000) : Json()}};
    trouble |= depth->exceptions > 0;
  }
  const auto central = std::filesystem::path(opened->settings.ledger.path).parent_path() / "central-config.json";
  if (std::ifstream in(central); in) {
    const auto pushed = Json::parse(in, nullptr, false);
    if (!pushed.is_discarded()) {
      for (const char* scope : {"site", "terminal"}) {
        status["config"][scope] =
            pushed.contains(scope) && pushed[scope].is_object() ? pushed[scope]["version"] : Json();
      }
      status["config"]["keys"] = pushed.contains("keys") ? pushed["keys"]["version"] : Json(0);
    }
  }
  const auto health = agent_health(opened->settings.http);
  status["agent"] = health ? *health : Json("not answering on /healthz (stopped, or http.enabled is false)");
  trouble |= health && health->value("status", "") != "ready";
  if (c.json) {
    out << status.dump() << "\n";
    return trouble ? 1 : 0;
  }
  out << "terminal " << opened->settings.terminal << " at site " << opened->settings.site << ", ledger "
      << ledger.options().path.string() << ", " << ledger.last_seq().value << " moves\n";
  const auto waiting = status.value("destinations", Json::object());  // kept: items() refers into it
  for (const auto& [destination, d] : waiting.items()) {
    out << "  " << destination << ": " << d["waiting"].get<std::int64_t>() << " waiting";
    if (!d["oldest_waiting_s"].is_null())
      out << " (oldest " << age(d["oldest_waiting_s"].get<std::int64_t>() * 1000) << ")";
    out << ", " << d["exceptions"].get<std::int64_t>() << " exceptions"
        << (d["exceptions"].get<std::int64_t>() > 0 ? " (edgestock exceptions list)" : "") << "\n";
  }
  if (status.contains("config")) {
    out << "  central config: site version " << status["config"]["site"].dump() << ", terminal version "
        << status["config"]["terminal"].dump() << ", key rotation " << status["config"]["keys"].dump() << "\n";
  }
  if (health) {
    out << "  agent: " << health->value("status", "?");
    for (const auto& reason : health->value("reasons", Json::array())) out << "; " << reason.get<std::string>();
    out << "\n";
  } else {
    out << "  agent: " << status["agent"].get<std::string>() << "\n";
  }
  return trouble ? 1 : 0;
}

int run_audit_verify(const Command& c, std::ostream& out, std::ostream& err) {
  storage::SystemClock clock;
  const auto opened = open_ledger(c, "audit verify", clock, err);
  if (!opened) return 1;
  const auto verdict = opened->ledger->audit().verify();
  if (c.json) {
    out << Json{{"entries_checked", verdict.entries_checked},
                {"intact", verdict.intact()},
                {"first_broken", verdict.first_broken ? Json(*verdict.first_broken) : Json()},
                {"reason", verdict.reason}}
               .dump()
        << "\n";
  } else if (verdict.intact()) {
    out << "audit chain of " << verdict.entries_checked << " entries intact\n";
  } else {
    err << "edgestock audit verify: the chain is broken at entry " << *verdict.first_broken << ": " << verdict.reason
        << "\n";
  }
  return verdict.intact() ? 0 : 1;
}

int run_scan(const Command& c, std::ostream& out, std::ostream& err) {
  const auto settings = config::load_settings_file(c.config_path);
  if (!settings) {
    err << "edgestock scan: invalid configuration: " << settings.error().front() << "\n";
    return 1;
  }
  const auto& s = settings->scanners;
  int fd = -1;
  std::string where;
  if (!s.unix_socket.empty()) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    s.unix_socket.copy(address.sun_path, sizeof address.sun_path - 1);
    where = s.unix_socket;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      fd = -1;
    }
  } else if (s.tcp_enabled) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(s.tcp_port));
    const auto host = s.tcp_bind == "0.0.0.0" || s.tcp_bind == "localhost" ? std::string("127.0.0.1") : s.tcp_bind;
    where = host + ":" + std::to_string(s.tcp_port);
    if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd);
      fd = -1;
    }
  } else {
    err << "edgestock scan: the agent takes no scans over a socket here: set scanners.unix.path or "
           "scanners.tcp.enabled\n";
    return 1;
  }
  if (fd < 0) {
    err << "edgestock scan: the agent does not answer on " << where << " (is it running?)\n";
    return 1;
  }
  // A scanner's session: the lines in order, each answered before the next.
  std::string pending;
  int refused = 0;
  for (const auto& line : c.scans) {
    const auto text = line + "\n";
    if (::send(fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) break;
    // Every answer line that arrives until the agent is quiet for a moment.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    bool answered = false;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, answered ? 300 : 1000) <= 0) {
        if (answered) break;
        continue;
      }
      char buffer[2048];
      const auto n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      pending.append(buffer, static_cast<std::size_t>(n));
      for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
        const auto answer = pending.substr(0, end);
        pending.erase(0, end + 1);
        out << line << ": " << answer << "\n";
        refused += answer.starts_with("REFUSED") ? 1 : 0;
        answered = true;
      }
    }
    if (!answered) {
      err << "edgestock scan: no answer to " << line << " within 10 s\n";
      ::close(fd);
      return 1;
    }
  }
  ::close(fd);
  return refused > 0 ? 1 : 0;
}

}  // namespace edgestock::agent
