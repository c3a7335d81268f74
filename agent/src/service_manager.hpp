#pragma once
// What systemd hears of the agent (a Type=notify unit): READY once every
// component has started, a STATUS line with the backlog, WATCHDOG pings at
// half the unit's WatchdogSec, STOPPING when a stop begins. A ping is sent
// only after the scan worker has answered one too, so a wedged scan thread
// or loop gets the agent restarted. Without NOTIFY_SOCKET (run by hand, in
// most tests) nothing is sent and no timer runs.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace edgestock::agent {

// True when `fd` is the journal's stream (systemd sets JOURNAL_STREAM to its
// device:inode for a unit whose output goes to the journal).
bool writes_to_journal(int fd);

class ServiceManager {
 public:
  // `status` gives the STATUS line; `alive(done)` calls done() once the
  // agent's other threads have shown they are alive.
  ServiceManager(boost::asio::io_context& io, std::function<std::string()> status,
                 std::function<void(std::function<void()>)> alive);

  void ready();
  void stopping();

 private:
  void arm();
  void send(const std::string& state) const;

  boost::asio::io_context& io_;
  std::function<std::string()> status_;
  std::function<void(std::function<void()>)> alive_;
  boost::asio::steady_timer timer_;
  std::chrono::microseconds watchdog_{0};
  bool notifying_ = false;
  bool stopping_ = false;
};

}  // namespace edgestock::agent
