#pragma once
#include <ostream>
#include <string>

namespace edgestock::agent {

// `edgestock run`: the agent (agent.hpp) with the settings of `config_path`,
// until SIGINT or SIGTERM; SIGHUP applies the file again.
int run_agent(const std::string& config_path, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
