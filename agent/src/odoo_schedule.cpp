#include "odoo_schedule.hpp"

#include <chrono>

#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/catalogue_pull.hpp"
#include "edgestock/sync/odoo_client.hpp"
#include "edgestock/sync/odoo_poster.hpp"
#include "edgestock/sync/reconcile.hpp"
#include "odoo_site.hpp"

namespace edgestock::agent {
namespace {

std::string summary(const sync::PullReport& r) {
  return sync::describe(r);
}

std::string summary(const sync::PostRound& r) {
  std::string line =
      "odoo posting: " + std::to_string(r.planned) + " moves planned, " + std::to_string(r.posted) + " postings booked";
  if (r.held > 0) line += ", " + std::to_string(r.held) + " moves to the exception queue";
  if (r.failed > 0) line += ", " + std::to_string(r.failed) + " postings refused (exception queue)";
  if (r.split > 0) line += ", " + std::to_string(r.split) + " split after a refusal";
  line += " in " + std::to_string(r.rpcs) + " calls";
  if (!r.last_error.empty()) line += (r.retry_later ? "; will retry: " : "; ") + r.last_error;
  return line;
}

}  // namespace

OdooSchedule::OdooSchedule(const config::Settings& settings, std::string api_key, storage::Ledger& ledger,
                           std::function<void(const std::string&)> log,
                           std::function<void(const std::string&, const std::string&)> alert,
                           std::atomic<std::int64_t>* last_success_ms)
    : settings_(settings),
      api_key_(std::move(api_key)),
      ledger_(ledger),
      log_(std::move(log)),
      alert_(std::move(alert)),
      last_success_ms_(last_success_ms),
      thread_([this] { run(); }) {}

OdooSchedule::~OdooSchedule() {
  stop();
}

void OdooSchedule::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<PullDone> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(pull_requests_);
  }
  for (auto& done : left) done(false, "the Odoo schedule stopped before the pull (a reload or shutdown)");
}

void OdooSchedule::pull_now(PullDone done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      pull_requests_.push_back(std::move(done));
      done = nullptr;
    }
  }
  if (done) {
    done(false, "the Odoo schedule is stopping");
    return;
  }
  wake_.notify_all();
}

void OdooSchedule::reconcile_now(sync::OdooClient& odoo) {
  const auto site = odoo_site(settings_, ledger_);
  const auto input = sync::read_for_reconcile(odoo, ledger_, site.locations, storage::SystemClock().now_ms());
  if (!input) {
    log_("reconciliation: Odoo could not be read: " + input.error().message);
    return;
  }
  const auto report = sync::reconcile(*input);
  std::string line = "reconciliation: " + std::to_string(input->moves.size()) + " moves, " +
                     std::to_string(report.drifted()) + " stock lines changed in Odoo since read";
  if (report.loud()) {
    line += "; " + std::to_string(report.twice.size()) + " moves booked twice in Odoo, " +
            std::to_string(report.missing.size()) + " posted but missing: run edgestock reconcile";
    if (alert_) alert_("reconcile", line);
  } else if (report.drifted() > 0 && alert_) {
    alert_("stock_drift", std::to_string(report.drifted()) +
                              " stock lines differ from Odoo's (changed there since read here); they are rebased at "
                              "the next posting: edgestock reconcile lists them");
  }
  log_(line);
  std::lock_guard lock(mutex_);
  last_reconciliation_ = line;
}

OdooSchedule::Figures OdooSchedule::figures() const {
  std::lock_guard lock(mutex_);
  return figures_;
}

std::string OdooSchedule::last_reconciliation() const {
  std::lock_guard lock(mutex_);
  return last_reconciliation_;
}

void OdooSchedule::run() {
  using Clock = std::chrono::steady_clock;
  sync::OdooClient odoo(settings_.odoo, api_key_);
  // Odoo's Date header tells how far off the terminal's clock is.
  odoo.on_server_time([this](std::int64_t at) { ledger_.clock_check().observe("Odoo", at); });
  std::string clock_problem;
  auto scope = sync::pull_scope(settings_.odoo);
  auto last_full = Clock::time_point{};
  bool connected = false;
  const auto pull_every = std::chrono::seconds(settings_.odoo.pull_interval_s);
  const auto post_every = std::chrono::seconds(settings_.odoo.posting.interval_s);
  const bool posting = settings_.odoo.posting.enabled;
  auto next_pull = Clock::now();
  auto next_post = Clock::now();
  const auto reconcile_every = std::chrono::seconds(settings_.odoo.reconcile_interval_s);
  const bool reconciling = posting && settings_.odoo.reconcile_interval_s > 0;
  auto next_reconcile = Clock::now() + reconcile_every;
  storage::SystemClock wall;
  // Kept across rounds: its backoff grows while Odoo keeps failing.
  sync::OdooPoster poster(odoo, ledger_, odoo_site(settings_, ledger_), poster_settings(settings_), wall);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::vector<PullDone> requests;
    requests.swap(pull_requests_);
    lock.unlock();
    if (!requests.empty()) {
      next_pull = Clock::now();
      last_full = Clock::time_point{};  // a resync is a full pull
    }
    std::string pulled;
    bool pull_ok = false;
    // Nothing that happens with Odoo may end the agent: a reply the checks
    // did not foresee is logged and tried again at the next turn.
    try {
      if (!connected) {
        const auto reply = odoo.connect();
        connected = reply.ok();
        if (!connected) {
          log_("odoo: " + reply.message);
          pulled = "Odoo cannot be reached: " + reply.message;
        }
      }
      if (connected && Clock::now() >= next_pull) {
        next_pull = Clock::now() + pull_every;
        const bool full = last_full == Clock::time_point{} ||
                          Clock::now() - last_full >= std::chrono::seconds(settings_.odoo.full_pull_interval_s);
        scope.now_ms = wall.now_ms();
        const auto report = sync::pull_catalogue(odoo, ledger_, scope, full);
        if (report.ok() && full) last_full = Clock::now();
        if (report.ok() && last_success_ms_ != nullptr) *last_success_ms_ = wall.now_ms();
        if (!report.ok() && report.failure.outcome == sync::OdooOutcome::permanent) connected = false;
        log_(summary(report));
        pulled = summary(report);
        pull_ok = report.ok();
      }
      if (connected && posting && Clock::now() >= next_post) {
        next_post = Clock::now() + post_every;
        poster.set_site(odoo_site(settings_, ledger_));
        const auto round = poster.run_once();
        {
          std::lock_guard figures_lock(mutex_);
          for (const auto seconds : round.booked_seconds) figures_.booked_seconds.observe(seconds);
        }
        if (round.last_error.empty() && last_success_ms_ != nullptr) *last_success_ms_ = wall.now_ms();
        if (round.planned + round.posted + round.held + round.failed + round.split > 0 || !round.last_error.empty()) {
          log_(summary(round));
        }
      }
      if (connected && reconciling && Clock::now() >= next_reconcile) {
        next_reconcile = Clock::now() + reconcile_every;
        reconcile_now(odoo);
      }
      // Said once when it appears and once when it clears, not every pull.
      if (auto now = ledger_.clock_check().problem(wall.now_ms()); now != clock_problem) {
        log_(now.empty() ? "clock: the terminal's clock agrees with Odoo's again" : "clock: " + now);
        clock_problem = std::move(now);
      }
    } catch (const std::exception& error) {
      connected = false;
      log_(std::string("odoo work failed unexpectedly (will retry): ") + error.what());
      pulled = std::string("the pull failed: ") + error.what();
    }
    for (auto& done : requests) done(pull_ok, pulled);
    lock.lock();
    const auto counts = odoo.rpc_counts();
    figures_.rpcs_ok = counts.ok;
    figures_.rpcs_transient = counts.transient;
    figures_.rpcs_permanent = counts.permanent;
    // The schedule's wait, cut short by stop().
    auto next = posting ? std::min(next_pull, next_post) : next_pull;
    if (reconciling) next = std::min(next, next_reconcile);
    wake_.wait_until(lock, std::max(next, Clock::now() + std::chrono::seconds(1)),
                     [this] { return stopping_ || !pull_requests_.empty(); });
  }
}

}  // namespace edgestock::agent
