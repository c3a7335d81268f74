#pragma once
// The ledger's options from the agent's settings (the one place they meet).

#include "edgestock/config/settings.hpp"
#include "edgestock/storage/ledger.hpp"

namespace edgestock::agent {

inline storage::LedgerOptions ledger_options(const config::Settings& settings, bool read_only) {
  storage::LedgerOptions options;
  options.path = settings.ledger.path;
  options.terminal = storage::TerminalId(settings.terminal);
  options.site = storage::SiteId(settings.site);
  options.durability = settings.ledger.durability == "normal" ? storage::Durability::normal : storage::Durability::full;
  options.max_bytes = settings.ledger.max_bytes;
  options.read_only = read_only;
  return options;
}

}  // namespace edgestock::agent
