#include "service_manager.hpp"

#include <systemd/sd-daemon.h>

#include <sys/stat.h>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace edgestock::agent {
namespace {

// The status is refreshed this often when there is no watchdog.
constexpr std::chrono::seconds kStatusEvery{30};

}  // namespace

bool writes_to_journal(int fd) {
  // Read once at start, before any other thread exists.
  const char* stream = std::getenv("JOURNAL_STREAM");  // NOLINT(concurrency-mt-unsafe)
  struct stat status {};
  if (stream == nullptr || ::fstat(fd, &status) != 0) return false;
  return std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino) == stream;
}

ServiceManager::ServiceManager(boost::asio::io_context& io, std::function<std::string()> status,
                               std::function<void(std::function<void()>)> alive)
    : io_(io), status_(std::move(status)), alive_(std::move(alive)), timer_(io) {
  // Sent only where a service manager listens (sd_notify returns 0 without NOTIFY_SOCKET).
  notifying_ = sd_notify(0, "STATUS=starting: opening the ledger and the scanners") > 0;
  std::uint64_t usec = 0;
  if (notifying_ && sd_watchdog_enabled(0, &usec) > 0) watchdog_ = std::chrono::microseconds(usec);
}

void ServiceManager::send(const std::string& state) const {
  if (notifying_) sd_notify(0, state.c_str());
}

void ServiceManager::ready() {
  if (!notifying_) return;
  send("READY=1\nSTATUS=" + status_());
  arm();
}

void ServiceManager::stopping() {
  if (!notifying_ || stopping_) return;
  stopping_ = true;
  timer_.cancel();
  send("STOPPING=1\nSTATUS=stopping: scans handed over are being recorded, then MQTT goes offline");
}

void ServiceManager::arm() {
  const auto every = watchdog_.count() > 0 ? std::chrono::duration_cast<std::chrono::microseconds>(watchdog_ / 2)
                                           : std::chrono::microseconds(kStatusEvery);
  timer_.expires_after(every);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopping_) return;
    alive_([this] {
      boost::asio::post(io_, [this] {
        if (stopping_) return;
        send((watchdog_.count() > 0 ? "WATCHDOG=1\nSTATUS=" : "STATUS=") + status_());
        arm();
      });
    });
  });
}

}  // namespace edgestock::agent
