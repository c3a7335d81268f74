#pragma once
// `edgestock config keygen | sign | verify`: central IT's side of signed
// config pushes (docs/configuration.md).

#include <ostream>

#include "cli.hpp"

namespace edgestock::agent {

int run_config_command(const Command& command, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
