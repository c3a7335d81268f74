#pragma once
// `edgestock run` as a child process of a test, its output in a log file.
// EDGESTOCK_BINARY is the path of the built agent (set by the test's CMake).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace edgestock::testing {

// `environment`: variables set for the agent only (NOTIFY_SOCKET, ...).
inline pid_t start_agent(const std::filesystem::path& config, const std::filesystem::path& log,
                         const std::vector<std::pair<std::string, std::string>>& environment = {}) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [name, value] : environment) ::setenv(name.c_str(), value.c_str(), 1);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execl(EDGESTOCK_BINARY, EDGESTOCK_BINARY, "run", "--config", config.c_str(), nullptr);
    std::_Exit(127);
  }
  return pid;
}

}  // namespace edgestock::testing
