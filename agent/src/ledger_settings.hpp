#pragma once
// The ledger's options from the agent's settings (the one place they meet).

#include <optional>
#include <ostream>
#include <string>

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
  // Only what something delivers: a move waiting for a destination that is
  // switched off would never reach it, and retention would keep it for ever.
  options.destinations.clear();
  if (settings.mqtt.enabled) options.destinations.emplace_back("mqtt");
  if (settings.odoo.enabled && settings.odoo.posting.enabled) options.destinations.emplace_back("odoo");
  return options;
}

// The settings of `path`, or nullopt after telling `err` every problem.
inline std::optional<config::Settings> load_settings_or_explain(const std::string& path, const std::string& command,
                                                                std::ostream& err) {
  auto settings = config::load_settings_file(path);
  if (settings) return std::move(*settings);
  err << "edgestock " << command << ": invalid configuration:";
  for (const auto& problem : settings.error()) err << "\n  " << problem;
  err << "\n";
  return std::nullopt;
}

}  // namespace edgestock::agent
