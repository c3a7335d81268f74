#include "scan_worker.hpp"

#include <boost/asio/post.hpp>

#include "scan_pipeline.hpp"

namespace edgestock::agent {

ScanWorker::ScanWorker(storage::Ledger& ledger, const config::Settings& settings, const storage::Clock& clock,
                       Callbacks callbacks, ScanCounters* counters)
    : clock_(clock),
      callbacks_(std::move(callbacks)),
      work_(io_.get_executor()),
      pipeline_(std::make_unique<ScanPipeline>(ledger, settings, clock, callbacks_.recorded, callbacks_.alert)),
      timer_(io_) {
  if (counters != nullptr) pipeline_->count_into(*counters);
  thread_ = std::thread([this] { io_.run(); });
}

ScanWorker::~ScanWorker() {
  stop();
}

void ScanWorker::scan(std::string source, scanners::LineSplitter::Line line, Answer answer) {
  if (stopped_) return;
  boost::asio::post(io_, [this, source = std::move(source), line = std::move(line), answer = std::move(answer)] {
    answer(pipeline_->on_line(source, line));
    arm_timer();
  });
}

void ScanWorker::source_closed(std::string source) {
  if (stopped_) return;
  boost::asio::post(io_, [this, source = std::move(source)] {
    log_all(pipeline_->on_source_closed(source));
    arm_timer();
  });
}

void ScanWorker::reconfigure(const config::Settings& settings) {
  if (stopped_) return;
  boost::asio::post(io_, [this, settings] {
    log_all(pipeline_->reconfigure(settings));
    arm_timer();
  });
}

void ScanWorker::run(std::function<void()> job) {
  if (stopped_) return;
  boost::asio::post(io_, std::move(job));
}

void ScanWorker::stop() {
  if (stopped_) return;
  stopped_ = true;
  // Queued after every scan handed over so far: those are handled first.
  boost::asio::post(io_, [this] {
    draining_ = true;
    timer_.cancel();
  });
  work_.reset();
  if (thread_.joinable()) thread_.join();
}

void ScanWorker::log_all(const std::vector<std::string>& lines) const {
  for (const auto& text : lines) callbacks_.log(text);
}

// Wakes for the next auto-confirm or idle sign-out only, not every second.
void ScanWorker::arm_timer() {
  if (draining_) return;
  const auto next = pipeline_->next_deadline_ms();
  if (!next) {
    timer_.cancel();
    return;
  }
  const auto wait = std::max<std::int64_t>(*next - clock_.now_ms(), 0);
  timer_.expires_after(std::chrono::milliseconds(wait));
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    log_all(pipeline_->on_tick());
    // A deadline still due after the tick (the wall clock stepped back) is
    // looked at again in a second, not in a busy loop.
    if (const auto again = pipeline_->next_deadline_ms(); again && *again <= clock_.now_ms()) {
      timer_.expires_after(std::chrono::seconds(1));
      timer_.async_wait([this](const boost::system::error_code& e) {
        if (!e) arm_timer();
      });
      return;
    }
    arm_timer();
  });
}

}  // namespace edgestock::agent
