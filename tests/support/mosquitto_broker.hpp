#pragma once
// A real mosquitto (Debian's package) on a free loopback port, with its own
// config and data directory, for integration tests. Stopping it with SIGTERM
// lets it save its persistence; starting it again reuses port and data.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "temp_dir.hpp"
#include "wait_until.hpp"

namespace edgestock::testing {

struct TlsFiles {
  std::filesystem::path ca;  // the CA that signed server and client
  std::filesystem::path server_cert;
  std::filesystem::path server_key;
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
};

// A loopback TCP port that was free a moment ago.
int free_loopback_port();
// True when something accepts connections on 127.0.0.1:port.
bool accepts_connections(int port);

// Makes a CA, a server certificate for 127.0.0.1/localhost and a client
// certificate with openssl, in `dir`.
// `server_names`: the subjectAltName of the server certificate.
TlsFiles make_test_certificates(const std::filesystem::path& dir, const std::string& name = "test",
                                const std::string& server_names = "DNS:localhost,IP:127.0.0.1");

class MosquittoBroker {
 public:
  struct Options {
    std::string user;  // with a password: anonymous clients are refused
    std::string password;
    const TlsFiles* tls = nullptr;  // TLS listener requiring a client certificate
  };
  MosquittoBroker() : MosquittoBroker(Options{}) {}
  explicit MosquittoBroker(const Options& options);
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  [[nodiscard]] int port() const { return port_; }
  // tcp://127.0.0.1:PORT or ssl://localhost:PORT
  [[nodiscard]] std::string uri() const;
  // Sends `signal` and waits until the broker has exited.
  void stop(int signal);
  // Starts again on the same port and data directory; waits until it listens.
  void start();
  [[nodiscard]] std::string log() const;

 private:
  TempDir dir_{"mosquitto"};
  bool tls_ = false;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace edgestock::testing
