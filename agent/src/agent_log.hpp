#pragma once
// The agent's one log, shared by the event loop, the scan worker and the
// Odoo thread: each line is written whole, never interleaved with another
// thread's. `info` is what the agent did (answers for scanners without a
// screen, a reload applied); `problem` is what someone may have to act on;
// `error` is why the agent stops. Under systemd, where the output goes to the
// journal, each line starts with its syslog priority (<6>, <4>, <3>), which
// journald records as the entry's PRIORITY (journalctl -p warning shows the
// problems only). Secrets are never passed here.

#include <algorithm>
#include <mutex>
#include <ostream>
#include <string_view>

namespace edgestock::agent {

class AgentLog {
 public:
  // `priorities`: prefix each line with its syslog priority (for journald).
  AgentLog(std::ostream& out, std::ostream& err, bool priorities = false)
      : out_(out), err_(err), priorities_(priorities) {}

  void info(std::string_view line) { write(out_, "<6>", line); }
  void problem(std::string_view line) { write(err_, "<4>", line); }
  void error(std::string_view line) { write(err_, "<3>", line); }

 private:
  void write(std::ostream& stream, std::string_view priority, std::string_view line) {
    const std::lock_guard lock(mutex_);
    // A line of several (a reload's list of problems) keeps its priority on each.
    std::size_t from = 0;
    while (from <= line.size()) {
      const auto end = std::min(line.find('\n', from), line.size());
      if (priorities_) stream << priority;
      stream << line.substr(from, end - from) << '\n';
      from = end + 1;
    }
    stream << std::flush;
  }

  std::ostream& out_;
  std::ostream& err_;
  bool priorities_;
  std::mutex mutex_;
};

}  // namespace edgestock::agent
