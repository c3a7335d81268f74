#pragma once
// An independent MQTT subscriber for tests: its own Paho connection with a
// persistent session, collecting every message it receives.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace edgestock::testing {

struct TlsFiles;

struct Received {
  std::string topic;
  std::string payload;
  bool retained = false;
};

class Subscriber {
 public:
  // Connects and subscribes to `filter` at QoS 1; throws when it cannot.
  Subscriber(const std::string& uri, const std::string& client_id, const std::string& filter,
             const TlsFiles* tls = nullptr, const std::string& user = "", const std::string& password = "");
  ~Subscriber();
  [[nodiscard]] std::vector<Received> messages() const;
  [[nodiscard]] std::size_t count() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace edgestock::testing
