#include "edgestock/scanners/tcp_source.hpp"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <set>

namespace edgestock::scanners {

using boost::asio::ip::tcp;

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, TcpScanSource::Handler& handler) : socket_(std::move(socket)), handler_(handler) {
    boost::system::error_code ignored;
    // Answers are a line or two: send each at once (no Nagle delay waiting
    // for the scanner's delayed ACK, ~40 ms).
    socket_.set_option(tcp::no_delay(true), ignored);
    const auto peer = socket_.remote_endpoint(ignored);
    source_ = "tcp:" + peer.address().to_string() + ":" + std::to_string(peer.port());
  }
  void start() { read(); }
  void close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  void read() {
    socket_.async_read_some(boost::asio::buffer(buffer_),
                            [self = shared_from_this()](const boost::system::error_code& error, std::size_t size) {
                              if (error) {
                                // The peer went away: a line it never ended is still a scan.
                                auto rest = self->splitter_.flush();
                                if (!rest.text.empty()) self->deliver(rest);
                                return;
                              }
                              for (const auto& line : self->splitter_.feed({self->buffer_.data(), size})) {
                                self->deliver(line);
                              }
                              self->read();
                            });
  }
  void deliver(const LineSplitter::Line& line) {
    std::weak_ptr<Connection> weak = shared_from_this();
    handler_(source_, line, [weak](std::string text) {
      if (auto self = weak.lock()) self->send(std::move(text) + "\n");
    });
  }
  void send(std::string text) {
    const bool idle = outbox_.empty();
    outbox_.push_back(std::move(text));
    if (idle) write();
  }
  void write() {
    boost::asio::async_write(socket_, boost::asio::buffer(outbox_.front()),
                             [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                               if (error) return;
                               self->outbox_.pop_front();
                               if (!self->outbox_.empty()) self->write();
                             });
  }

  tcp::socket socket_;
  TcpScanSource::Handler& handler_;
  std::string source_;
  std::array<char, 4096> buffer_{};
  LineSplitter splitter_;
  std::deque<std::string> outbox_;
};

}  // namespace

class TcpScanSource::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, const std::string& address, std::uint16_t port, Handler handler)
      : acceptor_(io, tcp::endpoint(boost::asio::ip::make_address(address), port)), handler_(std::move(handler)) {}
  void accept() {
    acceptor_.async_accept([weak = weak_from_this()](const boost::system::error_code& error, tcp::socket socket) {
      auto self = weak.lock();
      if (!self || error) return;
      auto connection = std::make_shared<Connection>(std::move(socket), self->handler_);
      self->connections_.insert(connection);
      connection->start();
      self->accept();
    });
  }
  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (const auto& weak : connections_) {
      if (auto connection = weak.lock()) connection->close();
    }
    connections_.clear();
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  tcp::acceptor acceptor_;
  Handler handler_;
  std::set<std::weak_ptr<Connection>, std::owner_less<std::weak_ptr<Connection>>> connections_;
};

TcpScanSource::TcpScanSource(boost::asio::io_context& io, const std::string& address, std::uint16_t port,
                             Handler handler)
    : impl_(std::make_shared<Impl>(io, address, port, std::move(handler))) {
  impl_->accept();
}

TcpScanSource::~TcpScanSource() {
  impl_->stop();
}
std::uint16_t TcpScanSource::port() const {
  return impl_->port();
}
void TcpScanSource::stop() {
  impl_->stop();
}

}  // namespace edgestock::scanners
