#include "bench_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace edgestock::bench {

std::vector<double> issue_round_trips(std::uint16_t port, const std::string& badge, int scans) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) std::perror("connect");
  auto exchange = [&](const std::string& lines, const char* until) {
    if (::write(fd, lines.data(), lines.size()) != static_cast<ssize_t>(lines.size())) std::perror("write");
    std::string got;
    char buffer[4096];
    while (got.find(until) == std::string::npos) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      got.append(buffer, static_cast<std::size_t>(n));
    }
  };
  exchange("OP:" + badge + "\n", "OK hello");
  std::vector<double> times;
  for (int i = 0; i < scans; ++i) {
    const auto t = Clock::now();
    exchange(
        "]d20105012345670010"
        "17271231"
        "10LOT" +
            std::to_string(i % 50) + "\nCMD:CONFIRM\n",
        "OK recorded");
    times.push_back(micros_since(t));
  }
  ::close(fd);
  return times;
}

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  return samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
}

double median(std::vector<double> samples) {
  return percentile(std::move(samples), 50);
}

int int_arg(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == name) return std::stoi(argv[i + 1]);
  }
  return fallback;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace edgestock::bench
