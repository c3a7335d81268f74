#pragma once
// `edgestock config publish` and `config status`: central IT's side of the
// broker. publish signs (with --key) and sends a document where terminals
// read it; status reads the retained states of a site's terminals.

#include <expected>
#include <ostream>
#include <string>

#include "cli.hpp"

namespace edgestock::agent {

struct PublishTarget {
  std::string kind;      // "config", "keys" or "command"
  std::string topic;     // {p}/{site}/config, {p}/{site}/{terminal}/config, {p}/keys, {p}/{site}/{terminal}/cmd
  bool retained = true;  // documents are; commands are not (a recording must not wait on the broker)
};
// Where a document goes, from what it is and whom it targets; --site and
// --terminal fill in what "target": "all" leaves open. Pure.
std::expected<PublishTarget, std::string> publish_target(const std::string& document, const std::string& prefix,
                                                         const std::string& site, const std::string& terminal);

// "config", "keys" or "command": what a document is, by its members.
std::string document_kind(const std::string& document);

int run_config_publish(const Command& command, std::ostream& out, std::ostream& err);
int run_config_status(const Command& command, std::ostream& out, std::ostream& err);

}  // namespace edgestock::agent
