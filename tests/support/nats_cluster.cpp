#include "nats_cluster.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "mosquitto_broker.hpp"
#include "wait_until.hpp"

namespace edgestock::testing {

NatsCluster::NatsCluster() {
  for (int i = 0; i < kNodes; ++i) {
    client_ports_[i] = free_loopback_port();
    cluster_ports_[i] = free_loopback_port();
    mqtt_ports_[i] = free_loopback_port();
  }
  std::string routes;
  for (int i = 0; i < kNodes; ++i) {
    routes += (i ? ", " : "") + std::string("nats-route://127.0.0.1:") + std::to_string(cluster_ports_[i]);
  }
  for (int i = 0; i < kNodes; ++i) {
    const auto store = dir_.path() / ("n" + std::to_string(i));
    std::ofstream(dir_.path() / ("n" + std::to_string(i) + ".conf"))
        << "server_name: n" << i << "\nlisten: 127.0.0.1:" << client_ports_[i] << "\n"
        << "jetstream { store_dir: \"" << store.string() << "\", max_memory_store: 64MB, max_file_store: 256MB }\n"
        << "cluster { name: edgestock-test, listen: 127.0.0.1:" << cluster_ports_[i] << ", routes: [" << routes
        << "] }\n"
        << "mqtt { listen: 127.0.0.1:" << mqtt_ports_[i] << " }\n";
    start(i);
  }
  // Ready when a QoS 1 publish is taken on every node (the JetStream meta
  // leader is elected and the MQTT streams exist).
  for (int i = 0; i < kNodes; ++i) {
    const auto probe = "mosquitto_pub -h 127.0.0.1 -p " + std::to_string(mqtt_ports_[i]) +
                       " -V mqttv311 -q 1 -i probe-" + std::to_string(i) + " -t probe -m up >/dev/null 2>&1";
    if (!wait_until([&] { return std::system(probe.c_str()) == 0; }, std::chrono::seconds(60))) {
      throw std::runtime_error("the NATS cluster did not take an MQTT publish on node " + std::to_string(i) + ": " +
                               log(i));
    }
  }
}

NatsCluster::~NatsCluster() {
  for (int i = 0; i < kNodes; ++i) {
    if (pids_[i] > 0) {
      ::kill(pids_[i], SIGTERM);
      ::waitpid(pids_[i], nullptr, 0);
    }
  }
}

void NatsCluster::start(int node) {
  const auto config = (dir_.path() / ("n" + std::to_string(node) + ".conf")).string();
  const auto output = (dir_.path() / ("n" + std::to_string(node) + ".log")).string();
  pids_[node] = ::fork();
  if (pids_[node] == 0) {
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execlp("nats-server", "nats-server", "-c", config.c_str(), nullptr);
    std::_Exit(127);
  }
  if (!wait_until([&] { return accepts_connections(mqtt_ports_[node]); }, std::chrono::seconds(20))) {
    throw std::runtime_error("nats-server node " + std::to_string(node) + " did not listen: " + log(node));
  }
}

std::string NatsCluster::mqtt_uri(int node) const {
  return "tcp://127.0.0.1:" + std::to_string(mqtt_ports_.at(node));
}

void NatsCluster::kill(int node) {
  ::kill(pids_.at(node), SIGKILL);
  ::waitpid(pids_[node], nullptr, 0);
  pids_[node] = 0;
}

std::string NatsCluster::log(int node) const {
  std::ifstream in(dir_.path() / ("n" + std::to_string(node) + ".log"));
  std::stringstream text;
  text << in.rdbuf();
  const auto all = text.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace edgestock::testing
