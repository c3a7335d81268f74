#include "catalogue_schedule.hpp"

#include <chrono>

#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/catalogue_pull.hpp"
#include "edgestock/sync/odoo_client.hpp"

namespace edgestock::agent {
namespace {

std::string summary(const sync::PullReport& r) {
  if (!r.ok()) {
    return std::string("catalogue pull stopped (") +
           (r.failure.outcome == sync::OdooOutcome::transient ? "will retry" : "permanent") + "): " + r.failure.message;
  }
  return std::string("catalogue pull (") + (r.full ? "full" : "since " + (r.since.empty() ? "the start" : r.since)) +
         "): " + std::to_string(r.products) + " products, " + std::to_string(r.packagings) + " packagings, " +
         std::to_string(r.lots) + " lots, " + std::to_string(r.locations) + " locations, " +
         std::to_string(r.reorder_rules) + " reorder rules in " + std::to_string(r.rpcs) + " calls";
}

}  // namespace

CatalogueSchedule::CatalogueSchedule(const config::Settings& settings, std::string api_key, storage::Ledger& ledger,
                                     std::function<void(const std::string&)> log)
    : settings_(settings), api_key_(std::move(api_key)), ledger_(ledger), log_(std::move(log)), thread_([this] {
        run();
      }) {}

CatalogueSchedule::~CatalogueSchedule() {
  stop();
}

void CatalogueSchedule::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CatalogueSchedule::run() {
  using Clock = std::chrono::steady_clock;
  sync::OdooClient odoo(settings_.odoo, api_key_);
  // Odoo's Date header tells how far off the terminal's clock is.
  odoo.on_server_time([this](std::int64_t at) { ledger_.clock_check().observe("Odoo", at); });
  std::string clock_problem;
  const auto scope = sync::pull_scope(settings_.odoo);
  auto last_full = Clock::time_point{};
  bool connected = false;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    // Nothing that happens in a pull may end the agent: a reply the checks
    // did not foresee is logged and the pull tried again at the next turn.
    try {
      if (!connected) {
        const auto reply = odoo.connect();
        connected = reply.ok();
        if (!connected) log_("odoo: " + reply.message);
      }
      if (connected) {
        const bool full = last_full == Clock::time_point{} ||
                          Clock::now() - last_full >= std::chrono::seconds(settings_.odoo.full_pull_interval_s);
        const auto report = sync::pull_catalogue(odoo, ledger_, scope, full);
        if (report.ok() && full) last_full = Clock::now();
        if (!report.ok() && report.failure.outcome == sync::OdooOutcome::permanent) connected = false;
        log_(summary(report));
      }
      // Said once when it appears and once when it clears, not every pull.
      if (auto now = ledger_.clock_check().problem(storage::SystemClock().now_ms()); now != clock_problem) {
        log_(now.empty() ? "clock: the terminal's clock agrees with Odoo's again" : "clock: " + now);
        clock_problem = std::move(now);
      }
    } catch (const std::exception& error) {
      connected = false;
      log_(std::string("catalogue pull failed unexpectedly (will retry): ") + error.what());
    }
    lock.lock();
    // The schedule's wait, cut short by stop().
    wake_.wait_for(lock, std::chrono::seconds(settings_.odoo.pull_interval_s), [this] { return stopping_; });
  }
}

}  // namespace edgestock::agent
