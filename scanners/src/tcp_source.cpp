#include "edgestock/scanners/tcp_source.hpp"

#include <sys/stat.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <mutex>
#include <set>

namespace edgestock::scanners {

namespace asio = boost::asio;
using boost::asio::ip::tcp;
using unix_stream = boost::asio::local::stream_protocol;

bool looks_like_http(std::string_view line) {
  // method SP request-target SP HTTP-version (RFC 9112 section 3)
  const auto first_space = line.find(' ');
  if (first_space == 0 || first_space == std::string_view::npos) return false;
  for (const char c : line.substr(0, first_space)) {
    if (c < 'A' || c > 'Z') return false;
  }
  const auto last_space = line.rfind(' ');
  return last_space > first_space && line.substr(last_space + 1).starts_with("HTTP/");
}

namespace {

// What a listener and its connections share, guarded for stats() from other threads.
struct Shared {
  Shared(TcpScanSource::Handler h, TcpScanSource::ClosedHandler c, LineListenerOptions o)
      : handler(std::move(h)), closed(std::move(c)), options(o) {}
  TcpScanSource::Handler handler;
  TcpScanSource::ClosedHandler closed;
  LineListenerOptions options;
  mutable std::mutex mutex;
  LineListenerStats stats;
  bool stopped = false;  // after stop(), connections call no handler (on the loop's thread only)
  void count(std::int64_t LineListenerStats::*field) {
    std::lock_guard lock(mutex);
    ++(stats.*field);
  }
};

template <typename Protocol>
class Connection : public std::enable_shared_from_this<Connection<Protocol>> {
 public:
  using Socket = typename Protocol::socket;
  Connection(Socket socket, std::string source, std::shared_ptr<Shared> shared)
      : socket_(std::move(socket)),
        idle_(socket_.get_executor()),
        source_(std::move(source)),
        shared_(std::move(shared)) {}

  void start() {
    arm_idle();
    read();
  }
  // Closes at once; the pending reads end and report the close.
  void close() {
    boost::system::error_code ignored;
    idle_.cancel();
    socket_.close(ignored);
  }
  [[nodiscard]] const std::string& source() const { return source_; }
  std::function<void()> on_gone;  // the listener forgets the connection

 private:
  void read() {
    socket_.async_read_some(asio::buffer(buffer_), [self = this->shared_from_this()](
                                                       const boost::system::error_code& error, std::size_t size) {
      if (error) {
        self->gone();
        return;
      }
      self->arm_idle();
      for (const auto& line : self->splitter_.feed({self->buffer_.data(), size})) {
        if (!self->open_) return;
        self->deliver(line);
      }
      if (self->open_) self->read();
    });
  }
  void deliver(const LineSplitter::Line& line) {
    if (!first_line_seen_) {
      first_line_seen_ = true;
      if (looks_like_http(line.text)) {
        shared_->count(&LineListenerStats::refused_http);
        shut();
        return;
      }
    }
    if (shared_->stopped) return;
    std::weak_ptr<Connection> weak = this->shared_from_this();
    shared_->handler(source_, line, [weak](std::string text) {
      if (auto self = weak.lock()) self->send(std::move(text) + "\n");
    });
  }
  void send(std::string text) {
    if (!open_) return;
    queued_bytes_ += text.size();
    if (queued_bytes_ > shared_->options.max_reply_bytes) {
      shared_->count(&LineListenerStats::closed_slow);
      shut();
      return;
    }
    const bool idle = outbox_.empty();
    outbox_.push_back(std::move(text));
    if (idle) write();
  }
  void write() {
    asio::async_write(socket_, asio::buffer(outbox_.front()),
                      [self = this->shared_from_this()](const boost::system::error_code& error, std::size_t) {
                        if (error) return;
                        self->queued_bytes_ -= self->outbox_.front().size();
                        self->outbox_.pop_front();
                        if (!self->outbox_.empty()) self->write();
                      });
  }
  void arm_idle() {
    idle_.expires_after(shared_->options.idle_timeout);
    idle_.async_wait([weak = std::weak_ptr<Connection>(this->shared_from_this())](const boost::system::error_code& e) {
      auto self = weak.lock();
      if (e || !self || !self->open_) return;
      self->shared_->count(&LineListenerStats::closed_idle);
      self->shut();
    });
  }
  void shut() {
    open_ = false;
    close();
  }
  // Once, whichever way the connection ended.
  void gone() {
    if (gone_) return;
    gone_ = true;
    open_ = false;
    idle_.cancel();
    // A line the peer never ended was cut short: it is not a scan.
    if (splitter_.discard_partial() > 0) shared_->count(&LineListenerStats::partials_dropped);
    if (shared_->closed && !shared_->stopped) shared_->closed(source_);
    if (on_gone) on_gone();
  }

  Socket socket_;
  asio::steady_timer idle_;
  std::string source_;
  std::shared_ptr<Shared> shared_;
  std::array<char, 4096> buffer_{};
  LineSplitter splitter_;
  std::deque<std::string> outbox_;
  std::size_t queued_bytes_ = 0;
  bool first_line_seen_ = false;
  bool open_ = true;
  bool gone_ = false;
};

std::string source_name(const tcp::socket& socket, std::int64_t) {
  boost::system::error_code ignored;
  const auto peer = socket.remote_endpoint(ignored);
  return "tcp:" + peer.address().to_string() + ":" + std::to_string(peer.port());
}

std::string source_name(const unix_stream::socket& socket, std::int64_t number) {
  boost::system::error_code ignored;
  return "unix:" + socket.local_endpoint(ignored).path() + "#" + std::to_string(number);
}

template <typename Protocol>
class Listener : public std::enable_shared_from_this<Listener<Protocol>> {
 public:
  Listener(asio::io_context& io, const typename Protocol::endpoint& endpoint, TcpScanSource::Handler handler,
           TcpScanSource::ClosedHandler closed, LineListenerOptions options)
      : acceptor_(io, endpoint),
        retry_(io),
        shared_(std::make_shared<Shared>(std::move(handler), std::move(closed), options)) {}

  void accept() {
    acceptor_.async_accept(
        [weak = this->weak_from_this()](const boost::system::error_code& error, typename Protocol::socket socket) {
          auto self = weak.lock();
          if (!self || self->stopped_) return;
          if (error) {
            // Out of file descriptors, or a peer gone before it was accepted:
            // try again shortly rather than stop accepting for good.
            self->shared_->count(&LineListenerStats::accept_errors);
            self->retry_.expires_after(self->shared_->options.accept_retry);
            self->retry_.async_wait([weak](const boost::system::error_code& e) {
              if (auto again = weak.lock(); again && !e && !again->stopped_) again->accept();
            });
            return;
          }
          self->admit(std::move(socket));
          self->accept();
        });
  }
  void stop() {
    stopped_ = true;
    shared_->stopped = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_.cancel();
    for (const auto& connection : std::set(connections_)) connection->close();
  }
  [[nodiscard]] LineListenerStats stats() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->stats;
  }
  typename Protocol::acceptor& acceptor() { return acceptor_; }

 private:
  void admit(typename Protocol::socket socket) {
    if (connections_.size() >= shared_->options.max_connections) {
      shared_->count(&LineListenerStats::refused_full);
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    if constexpr (std::is_same_v<Protocol, tcp>) {
      // Answers are a line or two: send each at once (no Nagle delay waiting
      // for the scanner's delayed ACK, ~40 ms).
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
    }
    auto name = source_name(socket, ++accepted_);
    auto connection = std::make_shared<Connection<Protocol>>(std::move(socket), std::move(name), shared_);
    connections_.insert(connection);
    connection->on_gone = [weak = this->weak_from_this(), raw = connection.get()] {
      auto self = weak.lock();
      if (!self) return;
      std::erase_if(self->connections_, [raw](const auto& kept) { return kept.get() == raw; });
      self->update_open();
    };
    {
      std::lock_guard lock(shared_->mutex);
      ++shared_->stats.accepted;
    }
    update_open();
    connection->start();
  }
  void update_open() {
    std::lock_guard lock(shared_->mutex);
    shared_->stats.open_connections = connections_.size();
  }

  typename Protocol::acceptor acceptor_;
  asio::steady_timer retry_;
  std::shared_ptr<Shared> shared_;
  std::set<std::shared_ptr<Connection<Protocol>>> connections_;
  std::int64_t accepted_ = 0;
  bool stopped_ = false;
};

}  // namespace

class TcpScanSource::Impl : public Listener<tcp> {
 public:
  using Listener<tcp>::Listener;
};

class UnixScanSource::Impl : public Listener<unix_stream> {
 public:
  using Listener<unix_stream>::Listener;
};

TcpScanSource::TcpScanSource(asio::io_context& io, const std::string& address, std::uint16_t port, Handler handler,
                             LineListenerOptions options, ClosedHandler closed)
    : impl_(std::make_shared<Impl>(io, tcp::endpoint(asio::ip::make_address(address), port), std::move(handler),
                                   std::move(closed), options)) {
  impl_->accept();
}

TcpScanSource::~TcpScanSource() {
  impl_->stop();
}
std::uint16_t TcpScanSource::port() const {
  return impl_->acceptor().local_endpoint().port();
}
LineListenerStats TcpScanSource::stats() const {
  return impl_->stats();
}
void TcpScanSource::stop() {
  impl_->stop();
}

namespace {
unix_stream::endpoint prepare_socket_path(const std::filesystem::path& path) {
  std::error_code ignored;
  // A socket left by an earlier run (the agent was killed) would make bind fail.
  if (std::filesystem::is_socket(std::filesystem::symlink_status(path, ignored))) {
    std::filesystem::remove(path, ignored);
  }
  return unix_stream::endpoint(path.string());
}
}  // namespace

UnixScanSource::UnixScanSource(asio::io_context& io, const std::filesystem::path& path, TcpScanSource::Handler handler,
                               LineListenerOptions options, TcpScanSource::ClosedHandler closed) {
  // The socket is made under a umask that leaves out others, then set to
  // 0660: there is no moment at which anybody else could connect.
  const mode_t before = ::umask(0117);
  try {
    impl_ = std::make_shared<Impl>(io, prepare_socket_path(path), std::move(handler), std::move(closed), options);
  } catch (...) {
    ::umask(before);
    throw;
  }
  ::umask(before);
  std::filesystem::permissions(path, std::filesystem::perms(0660));
  impl_->accept();
}

UnixScanSource::~UnixScanSource() {
  impl_->stop();
}
LineListenerStats UnixScanSource::stats() const {
  return impl_->stats();
}
void UnixScanSource::stop() {
  impl_->stop();
}

}  // namespace edgestock::scanners
