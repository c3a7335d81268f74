#include "http_endpoint.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <set>

namespace edgestock::agent {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 8192;
constexpr std::size_t kMaxConnections = 16;
constexpr auto kRequestTimeout = std::chrono::seconds(10);

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpEndpoint::Handler handler, std::function<void(Connection*)> done)
      : stream_(std::move(socket)), handler_(std::move(handler)), done_(std::move(done)) {
    parser_.header_limit(kHeaderLimit);
    parser_.body_limit(0);
  }
  void start() {
    stream_.expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
  }
  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void on_read(beast::error_code error) {
    if (error == http::error::header_limit || error == http::error::body_limit) {
      return respond({431, "text/plain; charset=utf-8", "request too large\n"}, false);
    }
    if (error) return finish();
    const auto& request = parser_.get();
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      return respond({405, "text/plain; charset=utf-8", "only GET and HEAD: this endpoint changes nothing\n"}, false);
    }
    respond(handler_(std::string(request.target())), request.method() == http::verb::head);
  }
  void respond(HttpReply reply, bool head_only) {
    response_.result(static_cast<unsigned>(reply.status));
    response_.version(11);
    response_.set(http::field::content_type, reply.content_type);
    response_.set(http::field::cache_control, "no-store");
    if (reply.status == 405) response_.set(http::field::allow, "GET, HEAD");
    response_.keep_alive(false);
    response_.body() = head_only ? std::string() : std::move(reply.body);
    response_.prepare_payload();
    stream_.expires_after(kRequestTimeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) { self->finish(); });
  }
  void finish() {
    close();
    if (done_) done_(this);
    done_ = nullptr;
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> response_;
  HttpEndpoint::Handler handler_;  // a copy: a connection may outlive the endpoint by a callback
  std::function<void(Connection*)> done_;
};

}  // namespace

class HttpEndpoint::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, const std::string& address, std::uint16_t port, Handler handler)
      : acceptor_(io, tcp::endpoint(boost::asio::ip::make_address(address), port)), handler_(std::move(handler)) {}
  void accept() {
    acceptor_.async_accept([weak = weak_from_this()](beast::error_code error, tcp::socket socket) {
      auto self = weak.lock();
      if (!self || self->stopped_) return;
      if (!error) self->admit(std::move(socket));
      self->accept();
    });
  }
  void stop() {
    stopped_ = true;
    beast::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& connection : std::set(open_)) connection->close();
    open_.clear();
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void admit(tcp::socket socket) {
    if (open_.size() >= kMaxConnections) {
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
    auto connection =
        std::make_shared<Connection>(std::move(socket), handler_, [weak = weak_from_this()](Connection* gone) {
          if (auto self = weak.lock()) {
            std::erase_if(self->open_, [gone](const auto& c) { return c.get() == gone; });
          }
        });
    open_.insert(connection);
    connection->start();
  }

  tcp::acceptor acceptor_;
  Handler handler_;
  std::set<std::shared_ptr<Connection>> open_;
  bool stopped_ = false;
};

HttpEndpoint::HttpEndpoint(boost::asio::io_context& io, const std::string& address, std::uint16_t port, Handler handler)
    : impl_(std::make_shared<Impl>(io, address, port, std::move(handler))) {
  impl_->accept();
}

HttpEndpoint::~HttpEndpoint() {
  impl_->stop();
}

std::uint16_t HttpEndpoint::port() const {
  return impl_->port();
}

void HttpEndpoint::stop() {
  impl_->stop();
}

}  // namespace edgestock::agent
