// The scan socket listeners (TCP and Unix) against real client sockets.
#include <sys/stat.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <mutex>

#include "edgestock/scanners/tcp_source.hpp"
#include "event_loop_thread.hpp"
#include "temp_dir.hpp"
#include "wait_until.hpp"

using namespace edgestock::scanners;
using namespace edgestock::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// What the listener handed on: lines per source, and the sources that closed.
struct Seen {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> lines;
  std::vector<std::string> closed;
  std::string reply_suffix;  // each line is answered "ok <line><suffix>"
  TcpScanSource::Handler handler() {
    return [this](const std::string& source, const LineSplitter::Line& line,
                  const std::function<void(std::string)>& reply) {
      std::string suffix;
      {
        std::lock_guard lock(mutex);
        lines.emplace_back(source, line.text);
        suffix = reply_suffix;
      }
      reply("ok " + line.text + suffix);
    };
  }
  TcpScanSource::ClosedHandler on_closed() {
    return [this](const std::string& source) {
      std::lock_guard lock(mutex);
      closed.push_back(source);
    };
  }
  std::size_t line_count() {
    std::lock_guard lock(mutex);
    return lines.size();
  }
};

struct Client {
  asio::io_context io;
  tcp::socket socket{io};
  explicit Client(std::uint16_t port) { socket.connect({asio::ip::make_address("127.0.0.1"), port}); }
  void send(const std::string& text) { asio::write(socket, asio::buffer(text)); }
  std::string read_line() {
    asio::streambuf buffer;
    asio::read_until(socket, buffer, '\n');
    std::string line(asio::buffers_begin(buffer.data()), asio::buffers_end(buffer.data()));
    return line.substr(0, line.find('\n'));
  }
  // True when the listener closed this connection (a read ends with EOF or a reset).
  bool closed_by_listener() {
    char byte;
    boost::system::error_code error;
    socket.read_some(asio::buffer(&byte, 1), error);
    return error == asio::error::eof || error == asio::error::connection_reset;
  }
};

}  // namespace

TEST_CASE("each TCP connection is a source of its own; a line counts only with its terminator", "[tcp]") {
  Seen seen;
  EventLoopThread loop;
  TcpScanSource source(loop.io, "127.0.0.1", 0, seen.handler(), {}, seen.on_closed());
  Client first(source.port());
  Client second(source.port());
  first.send("OP:nurse-042\n");
  CHECK(first.read_line() == "ok OP:nurse-042");
  second.send("OP:nurse-117\r\n");
  CHECK(second.read_line() == "ok OP:nurse-117");
  {
    std::lock_guard lock(seen.mutex);
    REQUIRE(seen.lines.size() == 2);
    CHECK(seen.lines[0].first != seen.lines[1].first);
  }
  // The first connection drops halfway through a GTIN-13: the eight digits
  // it sent would read as an EAN-8, so they must not become a scan.
  first.send("50123456");
  first.socket.close();
  REQUIRE(wait_until([&] { return source.stats().open_connections == 1; }, 5s));
  CHECK(source.stats().partials_dropped == 1);
  CHECK(seen.line_count() == 2);
  std::lock_guard lock(seen.mutex);
  REQUIRE(seen.closed.size() == 1);
  CHECK(seen.closed[0] == seen.lines[0].first);
}

TEST_CASE("a connection that speaks HTTP is closed before any line is read as a scan", "[tcp][security]") {
  Seen seen;
  EventLoopThread loop;
  TcpScanSource source(loop.io, "127.0.0.1", 0, seen.handler());
  {
    // What a web page makes the browser send to 127.0.0.1:7070 (cross-protocol).
    Client browser(source.port());
    browser.send(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:7070\r\nContent-Type: text/plain\r\n\r\nOP:nurse-042\nCMD:ISSUE\n");
    CHECK(browser.closed_by_listener());
  }
  CHECK(source.stats().refused_http == 1);
  CHECK(seen.line_count() == 0);
  Client scanner(source.port());
  scanner.send("OP:nurse-042\n");
  CHECK(scanner.read_line() == "ok OP:nurse-042");
  CHECK(looks_like_http("GET /index.html HTTP/1.0"));
  CHECK_FALSE(looks_like_http("OP:nurse-042"));
  CHECK_FALSE(looks_like_http("(01)05012345678900 (10)A HTTP/"));
}

TEST_CASE("connections are capped, idle ones closed, and a peer that never reads is dropped", "[tcp][security]") {
  Seen seen;
  EventLoopThread loop;
  LineListenerOptions options;
  options.max_connections = 2;
  options.idle_timeout = 300ms;
  options.max_reply_bytes = 8 * 1024;
  TcpScanSource source(loop.io, "127.0.0.1", 0, seen.handler(), options);

  SECTION("the third connection is refused") {
    Client a(source.port());
    Client b(source.port());
    a.send("x1\n");
    CHECK(a.read_line() == "ok x1");
    b.send("x2\n");
    CHECK(b.read_line() == "ok x2");
    Client c(source.port());
    CHECK(c.closed_by_listener());
    CHECK(source.stats().refused_full == 1);
  }
  SECTION("an idle peer is closed, an active one is not") {
    Client idle(source.port());
    REQUIRE(wait_until([&] { return source.stats().closed_idle == 1; }, 10s));
    CHECK(idle.closed_by_listener());
    // The listener forgets it once its pending read has ended, a moment later.
    CHECK(wait_until([&] { return source.stats().open_connections == 0; }, 10s));
  }
  SECTION("a peer that sends scans but never reads the answers") {
    {
      std::lock_guard lock(seen.mutex);
      seen.reply_suffix = std::string(2000, '.');
    }
    Client greedy(source.port());
    boost::system::error_code error;
    // Until the kernel's buffers are full the answers leave; then they queue
    // in the listener, which must give up on the peer at its cap.
    for (int i = 0; i < 200'000 && !error && source.stats().closed_slow == 0; ++i) {
      asio::write(greedy.socket, asio::buffer(std::string("5012345670010\n")), error);
    }
    CHECK(source.stats().closed_slow == 1);
  }
}

TEST_CASE("a Unix socket for local scanner bridges: group-only, replacing a stale one", "[tcp][unix]") {
  TempDir dir("unix-scan");
  const auto path = dir / "scan.sock";
  Seen seen;
  EventLoopThread loop;
  for (int run = 0; run < 2; ++run) {  // the second run finds the first's socket file
    UnixScanSource source(loop.io, path, seen.handler());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0660);
    asio::io_context io;
    asio::local::stream_protocol::socket client(io);
    client.connect(asio::local::stream_protocol::endpoint(path.string()));
    asio::write(client, asio::buffer(std::string("OP:nurse-042\n")));
    asio::streambuf buffer;
    asio::read_until(client, buffer, '\n');
    CHECK(std::string(asio::buffers_begin(buffer.data()), asio::buffers_end(buffer.data())) == "ok OP:nurse-042\n");
    source.stop();
  }
  std::lock_guard lock(seen.mutex);
  REQUIRE(seen.lines.size() == 2);
  CHECK_THAT(seen.lines[0].first, Catch::StartsWith("unix:"));
}
