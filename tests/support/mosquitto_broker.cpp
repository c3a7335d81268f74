#include "mosquitto_broker.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace edgestock::testing {
int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

namespace {

void run(const std::string& command) {
  if (std::system(command.c_str()) != 0) throw std::runtime_error("command failed: " + command);
}

}  // namespace

TlsFiles make_test_certificates(const std::filesystem::path& dir, const std::string& name,
                                const std::string& server_names) {
  std::filesystem::create_directories(dir);
  const std::string d = dir.string() + "/" + name;
  TlsFiles files{d + "-ca.pem", d + "-server.pem", d + "-server.key", d + "-client.pem", d + "-client.key"};
  const std::string quiet = " >/dev/null 2>&1";
  run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=edgestock-test-ca-" + name + " -keyout " + d +
      "-ca.key -out " + files.ca.string() + quiet);
  std::ofstream(d + "-server.ext") << "subjectAltName=" << server_names << "\n";
  run("openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + files.server_key.string() + " -out " + d +
      "-server.csr" + quiet);
  run("openssl x509 -req -in " + d + "-server.csr -CA " + files.ca.string() + " -CAkey " + d +
      "-ca.key -CAcreateserial -days 2 -extfile " + d + "-server.ext -out " + files.server_cert.string() + quiet);
  run("openssl req -newkey rsa:2048 -nodes -subj /CN=ward3-t1 -keyout " + files.client_key.string() + " -out " + d +
      "-client.csr" + quiet);
  run("openssl x509 -req -in " + d + "-client.csr -CA " + files.ca.string() + " -CAkey " + d +
      "-ca.key -CAcreateserial -days 2 -out " + files.client_cert.string() + quiet);
  return files;
}

MosquittoBroker::MosquittoBroker(const Options& options) : tls_(options.tls != nullptr), port_(free_loopback_port()) {
  const auto dir = dir_.path();
  std::ofstream config(dir / "mosquitto.conf");
  config << "user root\n"
         << "listener " << port_ << " 127.0.0.1\n"
         << "persistence true\n"
         << "persistence_location " << dir.string() << "/\n"
         << "log_dest file " << (dir / "mosquitto.log").string() << "\n"
         << "log_type error\nlog_type warning\nlog_type notice\n"
         // The defaults (20 in flight, 1000 queued) silently drop messages
         // for a slow subscriber; tests want every message kept.
         << "max_inflight_messages 0\nmax_queued_messages 0\n"
         << "set_tcp_nodelay true\n";
  if (options.user.empty()) {
    config << "allow_anonymous true\n";
  } else {
    run("mosquitto_passwd -b -c " + (dir / "passwords").string() + " " + options.user + " " + options.password +
        " >/dev/null 2>&1");
    config << "allow_anonymous false\npassword_file " << (dir / "passwords").string() << "\n";
  }
  if (options.tls != nullptr) {
    config << "cafile " << options.tls->ca.string() << "\ncertfile " << options.tls->server_cert.string()
           << "\nkeyfile " << options.tls->server_key.string() << "\nrequire_certificate true\n";
  }
  config.close();
  start();
}

MosquittoBroker::~MosquittoBroker() {
  if (pid_ > 0) stop(SIGTERM);
}

std::string MosquittoBroker::uri() const {
  return tls_ ? "ssl://localhost:" + std::to_string(port_) : "tcp://127.0.0.1:" + std::to_string(port_);
}

void MosquittoBroker::start() {
  const std::string config = (dir_.path() / "mosquitto.conf").string();
  pid_ = ::fork();
  if (pid_ == 0) {
    const std::string output = (dir_.path() / "mosquitto.out").string();
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execlp("mosquitto", "mosquitto", "-c", config.c_str(), nullptr);
    std::_Exit(127);
  }
  if (!wait_until([&] { return accepts_connections(port_); }, std::chrono::seconds(10))) {
    throw std::runtime_error("mosquitto did not start listening on port " + std::to_string(port_) + ": " + log());
  }
}

void MosquittoBroker::stop(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string MosquittoBroker::log() const {
  std::ifstream in(dir_.path() / "mosquitto.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace edgestock::testing
