#pragma once
// The agent's one log, shared by the event loop and the Odoo thread: each
// line is written whole, never interleaved with another thread's. `info` is
// what the agent did (answers for scanners without a screen, a reload
// applied); `problem` is what someone may have to act on. Secrets are never
// passed here.

#include <mutex>
#include <ostream>
#include <string_view>

namespace edgestock::agent {

class AgentLog {
 public:
  AgentLog(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

  void info(std::string_view line) { write(out_, line); }
  void problem(std::string_view line) { write(err_, line); }

 private:
  void write(std::ostream& stream, std::string_view line) {
    const std::lock_guard lock(mutex_);
    stream << line << '\n' << std::flush;
  }

  std::ostream& out_;
  std::ostream& err_;
  std::mutex mutex_;
};

}  // namespace edgestock::agent
