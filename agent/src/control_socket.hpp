#pragma once
// The running agent's control socket, for the staff commands that must write
// the ledger while the agent holds it (`edgestock exceptions retry|void|map`).
// A Unix socket beside the ledger (control_socket_path), mode 0600: only the
// service user and root reach it. One request per connection: one line of
// JSON of at most 4 KiB within 10 s, answered with one line of JSON
// {"exit": N, "out": "...", "err": "..."}; at most 4 connections at once.
// The handler is called on the loop with the request and the peer's uid; it
// may answer from any thread (the answer is posted to the loop).

#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "edgestock/config/settings.hpp"

namespace boost::asio {
class io_context;
}

namespace edgestock::agent {

// Where the agent of these settings listens: the ledger's path + ".control".
std::filesystem::path control_socket_path(const config::Settings& settings);

struct ControlAnswer {
  int exit = 0;
  std::string out;
  std::string err;
};

class ControlSocket {
 public:
  using Reply = std::function<void(ControlAnswer)>;
  // `request` is the line as sent (the handler parses it); `uid` the peer's.
  using Handler = std::function<void(const std::string& request, unsigned uid, Reply reply)>;

  // Throws std::system_error when the socket cannot be made.
  ControlSocket(boost::asio::io_context& io, const std::filesystem::path& path, Handler handler);
  ~ControlSocket();
  ControlSocket(const ControlSocket&) = delete;
  ControlSocket& operator=(const ControlSocket&) = delete;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// The client side, for the CLI: sends `request` and waits up to `timeout_ms`
// for the answer; an error text when the agent cannot be reached.
std::expected<ControlAnswer, std::string> ask_agent(const std::filesystem::path& path, const std::string& request,
                                                    int timeout_ms = 30'000);

}  // namespace edgestock::agent
