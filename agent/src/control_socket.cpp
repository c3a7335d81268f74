#include "control_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

namespace edgestock::agent {

namespace asio = boost::asio;
using unix_stream = asio::local::stream_protocol;
using Json = nlohmann::json;

namespace {

constexpr std::size_t kRequestLimit = 4096;

// strerror is not thread-safe; the error category's message is.
std::string system_error_text(int error) {
  return std::error_code(error, std::generic_category()).message();
}
constexpr std::size_t kMaxConnections = 4;
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr std::size_t kAnswerLimit = std::size_t{1} << 20;

std::string encode(const ControlAnswer& answer) {
  return Json{{"exit", answer.exit}, {"out", answer.out}, {"err", answer.err}}.dump(-1, ' ', false,
                                                                                    Json::error_handler_t::replace) +
         "\n";
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, unix_stream::socket socket, ControlSocket::Handler handler,
             std::function<void(Connection*)> done)
      : io_(io), socket_(std::move(socket)), timer_(io), handler_(std::move(handler)), done_(std::move(done)) {}

  void start() {
    timer_.expires_after(kRequestTimeout);
    timer_.async_wait([weak = weak_from_this()](boost::system::error_code error) {
      if (auto self = weak.lock(); self && !error && !self->answered_) self->close();
    });
    asio::async_read_until(socket_, asio::dynamic_buffer(request_, kRequestLimit), '\n',
                           [self = shared_from_this()](boost::system::error_code error, std::size_t length) {
                             self->on_read(error, length);
                           });
  }
  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(unix_stream::socket::shutdown_both, ignored);
    socket_.close(ignored);
    if (done_) done_(this);
    done_ = nullptr;
  }

 private:
  void on_read(boost::system::error_code error, std::size_t length) {
    if (error == asio::error::not_found) {
      return respond({2, "", "the request is longer than " + std::to_string(kRequestLimit) + " bytes"});
    }
    if (error) return close();
    const auto line = request_.substr(0, length - 1);
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) {
      return respond({2, "", std::string("cannot tell who is asking: ") + system_error_text(errno)});
    }
    answered_ = true;  // the handler may take longer than the read timeout (a ledger write)
    timer_.cancel();
    handler_(line, peer.uid, [weak = weak_from_this(), &io = io_](ControlAnswer answer) {
      asio::post(io, [weak, answer = std::move(answer)] {
        if (auto self = weak.lock()) self->respond(answer);
      });
    });
  }
  void respond(const ControlAnswer& answer) {
    answered_ = true;
    answer_ = encode(answer);
    asio::async_write(socket_, asio::buffer(answer_),
                      [self = shared_from_this()](boost::system::error_code, std::size_t) { self->close(); });
  }

  asio::io_context& io_;
  unix_stream::socket socket_;
  asio::steady_timer timer_;
  ControlSocket::Handler handler_;
  std::function<void(Connection*)> done_;
  std::string request_;
  std::string answer_;
  bool answered_ = false;
};

}  // namespace

std::filesystem::path control_socket_path(const config::Settings& settings) {
  return settings.ledger.path + ".control";
}

class ControlSocket::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, const std::filesystem::path& path, Handler handler)
      : io_(io), acceptor_(io), path_(path), handler_(std::move(handler)) {
    if (path.string().size() >= sizeof(sockaddr_un{}.sun_path)) {
      throw std::system_error(std::make_error_code(std::errc::filename_too_long),
                              "the control socket's path " + path.string() + " is too long for a Unix socket");
    }
    std::error_code ignored;
    // A socket left by an earlier run (the agent was killed) would make bind fail.
    if (std::filesystem::is_socket(std::filesystem::symlink_status(path, ignored))) {
      std::filesystem::remove(path, ignored);
    }
    // Made under a umask that leaves out everybody else, then set to 0600:
    // there is no moment at which another user could connect.
    const mode_t before = ::umask(0177);
    boost::system::error_code error;
    acceptor_.open(unix_stream(), error);
    if (!error) acceptor_.bind(unix_stream::endpoint(path.string()), error);
    ::umask(before);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (!error && ::chmod(path.c_str(), 0600) != 0) error.assign(errno, boost::system::system_category());
    if (error) {
      throw std::system_error(std::error_code(error.value(), std::system_category()),
                              "cannot make the control socket " + path.string());
    }
  }
  void accept() {
    acceptor_.async_accept([weak = weak_from_this()](boost::system::error_code error, unix_stream::socket socket) {
      auto self = weak.lock();
      if (!self || self->stopped_) return;
      if (!error) self->admit(std::move(socket));
      self->accept();
    });
  }
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& connection : std::set(open_)) connection->close();
    open_.clear();
    std::error_code gone;
    std::filesystem::remove(path_, gone);
  }

 private:
  void admit(unix_stream::socket socket) {
    if (open_.size() >= kMaxConnections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      return;
    }
    auto connection =
        std::make_shared<Connection>(io_, std::move(socket), handler_, [weak = weak_from_this()](Connection* finished) {
          if (auto self = weak.lock()) {
            std::erase_if(self->open_, [finished](const auto& c) { return c.get() == finished; });
          }
        });
    open_.insert(connection);
    connection->start();
  }

  asio::io_context& io_;
  unix_stream::acceptor acceptor_;
  std::filesystem::path path_;
  Handler handler_;
  std::set<std::shared_ptr<Connection>> open_;
  bool stopped_ = false;
};

ControlSocket::ControlSocket(asio::io_context& io, const std::filesystem::path& path, Handler handler)
    : impl_(std::make_shared<Impl>(io, path, std::move(handler))) {
  impl_->accept();
}

ControlSocket::~ControlSocket() {
  impl_->stop();
}

namespace {

// A file descriptor closed when it goes out of scope.
struct Descriptor {
  int fd = -1;
  Descriptor() = default;
  explicit Descriptor(int f) : fd(f) {}
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
};

// Waits for `events` on `fd` until `deadline`; false on a timeout.
bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd one{fd, events, 0};
    const int ready = ::poll(&one, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

}  // namespace

std::expected<ControlAnswer, std::string> ask_agent(const std::filesystem::path& path, const std::string& request,
                                                    int timeout_ms) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof address.sun_path) return std::unexpected("its path is too long");
  path.string().copy(address.sun_path, sizeof address.sun_path - 1);
  const Descriptor socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.fd < 0) return std::unexpected(std::string("socket: ") + system_error_text(errno));
  if (::connect(socket.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return std::unexpected(system_error_text(errno));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const std::string line = request + "\n";
  for (std::size_t sent = 0; sent < line.size();) {
    if (!wait_for(socket.fd, POLLOUT, deadline)) return std::unexpected("the agent did not take the request in time");
    const auto n = ::send(socket.fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EINTR) return std::unexpected(std::string("send: ") + system_error_text(errno));
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  char buffer[4096];
  while (answer.find('\n') == std::string::npos) {
    if (!wait_for(socket.fd, POLLIN, deadline)) return std::unexpected("the agent did not answer in time");
    const auto n = ::recv(socket.fd, buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0 && errno != EINTR) return std::unexpected(std::string("recv: ") + system_error_text(errno));
    if (n > 0) answer.append(buffer, static_cast<std::size_t>(n));
    if (answer.size() > kAnswerLimit) return std::unexpected("the agent's answer is too long");
  }
  const auto parsed = Json::parse(answer, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("exit") || !parsed["exit"].is_number_integer()) {
    return std::unexpected("the agent's answer is not one this program understands");
  }
  return ControlAnswer{parsed["exit"].get<int>(), parsed.value("out", std::string()),
                       parsed.value("err", std::string())};
}

}  // namespace edgestock::agent
