#include "agent_daemon.hpp"

#include <unistd.h>

#include "agent.hpp"
#include "ledger_settings.hpp"
#include "service_manager.hpp"

namespace edgestock::agent {

int run_agent(const std::string& config_path, std::ostream& out, std::ostream& err) {
  const auto settings = load_settings_or_explain(config_path, "run", err);
  if (!settings) return 1;
  AgentLog log(out, err, writes_to_journal(STDERR_FILENO));
  Agent agent(config_path, log);
  if (auto problem = agent.start(*settings); !problem.empty()) {
    log.error("edgestock run: " + problem);
    return 1;
  }
  agent.run();
  return 0;
}

}  // namespace edgestock::agent
