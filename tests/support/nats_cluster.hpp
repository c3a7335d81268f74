#pragma once
// A real three-node NATS cluster (Debian's nats-server, JetStream with its
// MQTT listener) on free loopback ports, each node with its own config and
// store, for the broker fail-over test. NATS speaks MQTT 3.1.1 only (QoS 0
// and 1).

#include <sys/types.h>

#include <array>
#include <string>

#include "temp_dir.hpp"

namespace edgestock::testing {

class NatsCluster {
 public:
  static constexpr int kNodes = 3;
  // Starts every node and waits until the cluster takes an MQTT QoS 1
  // publish on each (JetStream has a leader); throws when it does not.
  NatsCluster();
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // tcp://127.0.0.1:PORT of node i's MQTT listener.
  [[nodiscard]] std::string mqtt_uri(int node) const;
  [[nodiscard]] int mqtt_port(int node) const { return mqtt_ports_.at(node); }
  // SIGKILL, and waits until it is gone.
  void kill(int node);
  [[nodiscard]] std::string log(int node) const;

 private:
  void start(int node);
  TempDir dir_{"nats"};
  std::array<int, kNodes> client_ports_{};
  std::array<int, kNodes> cluster_ports_{};
  std::array<int, kNodes> mqtt_ports_{};
  std::array<pid_t, kNodes> pids_{};
};

}  // namespace edgestock::testing
