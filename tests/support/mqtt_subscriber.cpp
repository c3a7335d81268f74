#include "mqtt_subscriber.hpp"

#include <mqtt/async_client.h>

#include "mosquitto_broker.hpp"

namespace edgestock::testing {

struct Subscriber::State {
  std::unique_ptr<mqtt::async_client> client;
  mqtt::connect_options options;
  mutable std::mutex mutex;
  std::vector<Received> messages;
  std::string filter;
};

Subscriber::Subscriber(const std::string& uri, const std::string& client_id, const std::string& filter,
                       const TlsFiles* tls, const std::string& user, const std::string& password)
    : state_(std::make_shared<State>()) {
  auto& s = *state_;
  s.filter = filter;
  mqtt::create_options create(MQTTVERSION_3_1_1);
  create.set_max_buffered_messages(10000);
  s.client = std::make_unique<mqtt::async_client>(uri, client_id, create);
  s.options.set_clean_session(false);
  s.options.set_keep_alive_interval(20);
  s.options.set_automatic_reconnect(1, 2);
  if (!user.empty()) {
    s.options.set_user_name(user);
    s.options.set_password(password);
  }
  if (tls != nullptr) {
    mqtt::ssl_options ssl;
    ssl.set_trust_store(tls->ca.string());
    ssl.set_key_store(tls->client_cert.string());
    ssl.set_private_key(tls->client_key.string());
    s.options.set_ssl(ssl);
  }
  std::weak_ptr<State> weak = state_;
  s.client->set_message_callback([weak](mqtt::const_message_ptr message) {
    if (auto state = weak.lock()) {
      std::lock_guard lock(state->mutex);
      state->messages.push_back({message->get_topic(), message->to_string(), message->is_retained()});
    }
  });
  // After an automatic reconnect the persistent session keeps the
  // subscription; subscribing again does no harm.
  s.client->set_connected_handler([weak](const std::string&) {
    if (auto state = weak.lock()) state->client->subscribe(state->filter, 1);
  });
  s.client->connect(s.options)->wait();
  s.client->subscribe(filter, 1)->wait();
}

Subscriber::~Subscriber() {
  try {
    state_->client->disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const std::exception&) {
  }
}

std::vector<Received> Subscriber::messages() const {
  std::lock_guard lock(state_->mutex);
  return state_->messages;
}

std::size_t Subscriber::count() const {
  std::lock_guard lock(state_->mutex);
  return state_->messages.size();
}

}  // namespace edgestock::testing
