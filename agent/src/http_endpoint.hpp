#pragma once
// The agent's small read-only HTTP server (Boost.Beast) on loopback: one
// request per connection, GET and HEAD only, headers bounded to 8 KiB and no
// body, 10 s to send a request, at most 16 connections at once. What to
// answer is the handler's business (the agent routes /healthz and /metrics),
// called on the loop.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace edgestock::agent {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpEndpoint {
 public:
  // `target` is the request's path and query as sent ("/metrics").
  using Handler = std::function<HttpReply(const std::string& target)>;

  // Throws std::system_error when the address cannot be bound.
  HttpEndpoint(boost::asio::io_context& io, const std::string& address, std::uint16_t port, Handler handler);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  void stop();

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgestock::agent
