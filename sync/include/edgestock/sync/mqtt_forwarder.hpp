#pragma once
// Publishes every move of the ledger as a stock event, in seq order, at least
// once, from the durable outbox: a bounded window of events in flight, each
// marked sent only on its PUBACK, everything unacknowledged sent again after a
// reconnect. Also keeps the retained status (with an `offline` will) and
// publishes alerts. Paho's callbacks only post work onto the agent's event
// loop; everything else runs there.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "edgestock/sync/status_message.hpp"

#include "edgestock/config/settings.hpp"
#include "edgestock/storage/clock.hpp"
#include "edgestock/sync/latency.hpp"

namespace boost::asio {
class io_context;
}
namespace edgestock::storage {
class Ledger;
}

namespace edgestock::sync {

struct ForwarderStatus {
  bool connected = false;
  std::int64_t published = 0;     // publishes handed to the client since start
  std::int64_t acknowledged = 0;  // events that left the outbox on a PUBACK
  std::int64_t connects = 0;
  std::int64_t connect_attempts = 0;  // successful or not
  bool session_present = false;       // the broker resumed this terminal's session at the last connect
  std::int64_t last_publish_ms = 0;
  std::string last_error;  // the latest connection or publish failure, for status
  // The broker outage under way (0: connected or never tried) or, once back,
  // the last one: since when (wall clock) and why.
  std::int64_t outage_since_ms = 0;
  std::string outage_cause;
  bool down = false;
  // From a publish to its PUBACK (the broker's round trip), and from the
  // move's time to its PUBACK (how long moves wait to reach the broker).
  LatencyHistogram ack_seconds;
  LatencyHistogram delivery_seconds;
};

// The topics of one terminal.
struct Topics {
  Topics(const config::MqttSettings& mqtt, const std::string& site, const std::string& terminal);
  std::string events;
  std::string status;
  std::string alerts;
  std::string config_site;      // {p}/{site}/config: pushes for the whole site
  std::string config_terminal;  // {p}/{site}/{terminal}/config
  std::string config_state;     // {p}/{site}/{terminal}/config/state: what this terminal made of them
  std::string keys;             // {p}/keys: key rotations for the whole fleet
  std::string command;          // {p}/{site}/{terminal}/cmd: commands from central IT
  std::string command_ack;      // {p}/{site}/{terminal}/cmd/ack: their answers
};

// A message on a config topic, handed to the loop.
struct ConfigMessage {
  std::string topic;
  std::string payload;     // empty when oversized
  bool oversized = false;  // larger than the cap: not copied, refused unread
  std::size_t size = 0;
};

class MqttForwarder {
 public:
  MqttForwarder(boost::asio::io_context& io, storage::Ledger& ledger, const config::Settings& settings,
                const storage::Clock& clock, std::string version);
  ~MqttForwarder();
  MqttForwarder(const MqttForwarder&) = delete;
  MqttForwarder& operator=(const MqttForwarder&) = delete;

  // Starts connecting; returns at once. Fails only on settings it cannot use
  // (an unreadable password file, a bad broker URI), with the reason.
  [[nodiscard]] std::string start();
  // New moves are in the ledger: publish them now rather than at the next poll.
  void wake();
  // Where connection trouble is told (the agent's log): the first failure
  // and each change of cause at once, reminders at doubling intervals up to
  // an hour, and the recovery. Set before start().
  void set_log(std::function<void(const std::string&)> log);
  // Where the outbox is written when the broker acknowledges events (an
  // fsync each batch): `writer(job)` runs job on another thread, so the loop
  // does not wait for the disk; the result comes back on the loop. Without
  // one, on the loop. Set before start(); the writer must outlive the
  // forwarder or drop the jobs it gets after it is gone.
  void set_writer(std::function<void(std::function<void()>)> writer);
  // Central IT: with a handler, the config topics, the key rotation topic
  // and the command topic are subscribed at every connect (their retained
  // documents come again each time) and each message is handed to it on the
  // loop. Set before start().
  void set_config_handler(std::function<void(ConfigMessage)> handler, std::size_t max_bytes);
  // The retained config state of this terminal; kept and sent again at each
  // connect. Call on the loop.
  void publish_config_state(const std::string& json);
  // The answer to a command (QoS 1, not retained); false when not connected
  // (the command came over this connection, so it is rarely gone). Call on the loop.
  bool publish_command_ack(const std::string& json);
  // The scanners' state for the status message (called on the event loop).
  void set_device_states(std::function<std::vector<DeviceState>()> devices);
  // An alert raised by the scan session (a recalled or expired lot scanned):
  // published at once when connected. Safe from any thread.
  void raise_alert(const std::string& kind, const std::string& message);
  // Alerts raised while offline and not sent yet, taken out (after stop(),
  // when the forwarder is replaced), and given to the new one, which sends
  // them once connected. Call on the loop.
  [[nodiscard]] std::vector<std::string> take_held_alerts();
  void hold_alerts(const std::vector<std::string>& alerts);
  // Publishes the `offline` status and disconnects, waiting a moment for both.
  void stop();
  [[nodiscard]] ForwarderStatus status() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace edgestock::sync
