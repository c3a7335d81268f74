// Serial scanners through a pseudo-terminal (the kernel's own serial-like
// device), keyboard wedges through a pipe.
#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "edgestock/scanners/serial_source.hpp"
#include "event_loop_thread.hpp"
#include "temp_dir.hpp"
#include "wait_until.hpp"

using namespace edgestock::scanners;
using namespace edgestock::testing;
using namespace std::chrono_literals;

namespace {

struct Collected {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> lines;  // source, text
  LineHandler handler() {
    return [this](const std::string& source, const LineSplitter::Line& line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(source, line.text);
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return lines.size();
  }
};

using Loop = EventLoopThread;

struct Pty {
  int master = -1;
  std::string slave;
  Pty() {
    int slave_fd = -1;
    char name[256];
    REQUIRE(::openpty(&master, &slave_fd, name, nullptr, nullptr) == 0);
    slave = name;
    ::close(slave_fd);
  }
  ~Pty() { close(); }
  void write(const std::string& text) const {
    REQUIRE(::write(master, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  }
  void close() {
    if (master >= 0) ::close(master);
    master = -1;
  }
};

}  // namespace

TEST_CASE("a serial scanner's lines arrive; an unplugged one is reopened", "[serial]") {
  TempDir dir("serial");
  auto first = std::make_unique<Pty>();
  const auto device = dir / "scanner";
  std::filesystem::create_symlink(first->slave, device);
  Collected collected;
  Loop loop;
  SerialOptions options;
  options.device = device.string();
  options.baud = 9600;
  options.reopen_first = 20ms;
  options.reopen_cap = 200ms;
  SerialScanSource source(loop.io, options, collected.handler());
  REQUIRE(wait_until([&] { return source.status().open; }, 5s));
  first->write("5012345670010\r");
  first->write("OP:nurse-042\r\n");
  REQUIRE(wait_until([&] { return collected.count() == 2; }, 5s));
  CHECK(collected.lines[0] == std::pair<std::string, std::string>{"serial:" + device.string(), "5012345670010"});
  CHECK(collected.lines[1].second == "OP:nurse-042");

  // Unplugged halfway through a code: the device goes away; a new one
  // appears under the same name. The half code must not become a scan.
  const auto bytes_before = source.status().bytes;
  first->write("50123");
  REQUIRE(wait_until([&] { return source.status().bytes == bytes_before + 5; }, 5s));
  first->close();
  REQUIRE(wait_until([&] { return !source.status().open; }, 5s));
  CHECK_THAT(source.status().last_error, Catch::Contains("went away") || Catch::Contains("cannot open"));
  Pty second;
  std::filesystem::remove(device);
  std::filesystem::create_symlink(second.slave, device);
  REQUIRE(wait_until([&] { return source.status().open && source.status().opens >= 2; }, 5s));
  second.write("CMD:CONFIRM\r");
  REQUIRE(wait_until([&] { return collected.count() == 3; }, 5s));
  CHECK(collected.lines[2].second == "CMD:CONFIRM");
  CHECK(source.status().partials_dropped == 1);
  source.stop();
}

TEST_CASE("a serial device that is not there is reported and retried", "[serial]") {
  Collected collected;
  Loop loop;
  SerialOptions options;
  options.device = "/dev/edgestock-no-such-scanner";
  options.reopen_first = 10ms;
  SerialScanSource source(loop.io, options, collected.handler());
  REQUIRE(wait_until([&] { return !source.status().last_error.empty(); }, 5s));
  CHECK_THAT(source.status().last_error, Catch::Contains("cannot open /dev/edgestock-no-such-scanner"));
  CHECK_FALSE(source.status().open);
  source.stop();
}

TEST_CASE("a keyboard wedge on a stream: lines; a last one without its Enter is dropped", "[wedge]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  Collected collected;
  Loop loop;
  StreamScanSource source(loop.io, fds[0], "stdin", collected.handler());
  ::close(fds[0]);
  const std::string typed = "LOC:WARD3\n5012345670010\nCMD:CONFIRM";
  REQUIRE(::write(fds[1], typed.data(), typed.size()) == static_cast<ssize_t>(typed.size()));
  ::close(fds[1]);
  REQUIRE(wait_until([&] { return !source.status().open; }, 5s));
  REQUIRE(collected.count() == 2);
  CHECK(collected.lines[1] == std::pair<std::string, std::string>{"stdin", "5012345670010"});
  CHECK(source.status().lines == 2);
  CHECK(source.status().partials_dropped == 1);
}
