#pragma once
#include <ostream>
#include <string>

namespace edgestock::agent {

// The long-running agent: the one composition root. It owns the event loop,
// opens the ledger, starts the MQTT forwarder when enabled, and runs until
// SIGINT or SIGTERM, then publishes `offline` and closes cleanly.
int run_agent(const std::string& config_path, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
