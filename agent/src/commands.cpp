#include "commands.hpp"

#include "config_command.hpp"

#include <cstdlib>
#include <string>

#include "agent_daemon.hpp"
#include "decode_command.hpp"
#include "doctor.hpp"
#include "exceptions_command.hpp"
#include "ledger_commands.hpp"
#include "odoo_site.hpp"

#include <iostream>
#include "demo.hpp"
#include "edgestock/config/secret_file.hpp"
#include "edgestock/config/settings.hpp"
#include "edgestock/storage/audit.hpp"
#include "edgestock/storage/ledger.hpp"
#include "edgestock/sync/catalogue_pull.hpp"
#include "edgestock/sync/odoo_client.hpp"
#include "edgestock/sync/reconcile.hpp"
#include "ledger_settings.hpp"

#include <unistd.h>
#include <cstdio>
#include "stock_report.hpp"

#ifndef EDGESTOCK_VERSION
#define EDGESTOCK_VERSION "0.1.0"
#endif

namespace edgestock::agent {
namespace {

// The ledger named by the config file, or a message saying why not.
std::expected<std::unique_ptr<storage::Ledger>, std::string> open_configured_ledger(const std::string& config_path,
                                                                                    const storage::Clock& clock) {
  auto settings = config::load_settings_file(config_path);
  if (!settings) {
    std::string text = "invalid configuration:";
    for (const auto& problem : settings.error()) text += "\n  " + problem;
    return std::unexpected(text);
  }
  // Status commands never write, and work while the agent runs.
  auto ledger = storage::Ledger::open(ledger_options(*settings, true), clock);
  if (!ledger) return std::unexpected(ledger.error().message);
  return std::move(*ledger);
}

std::filesystem::path fresh_demo_ledger() {
  std::string pattern = (std::filesystem::temp_directory_path() / "edgestock-demo-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return "edgestock-demo.db";
  return std::filesystem::path(pattern) / "ledger.db";
}

// A progress bar on a terminal; nothing when the output is a file or a pipe.
void show_progress(std::int64_t done, std::int64_t total) {
  if (total <= 0 || !::isatty(STDERR_FILENO)) return;
  const int width = 40;
  const int filled = static_cast<int>(width * done / total);
  std::fprintf(stderr, "\r[%s%s] %lld/%lld products", std::string(static_cast<std::size_t>(filled), '#').c_str(),
               std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), static_cast<long long>(done),
               static_cast<long long>(total));
  if (done >= total) std::fputc('\n', stderr);
}

int run_pull(const std::string& config_path, bool full, std::ostream& out, std::ostream& err) {
  const auto settings = load_settings_or_explain(config_path, "pull", err);
  if (!settings) return 1;
  const auto key = config::read_secret_file("odoo.api_key_file", settings->odoo.api_key_file);
  if (!key) {
    err << "edgestock pull: " << key.error() << "\n";
    return 1;
  }
  storage::SystemClock clock;
  auto ledger = storage::Ledger::open(ledger_options(*settings, false), clock);
  if (!ledger) {
    err << "edgestock pull: " << ledger.error().message << "\n";
    return 1;
  }
  sync::OdooClient odoo(settings->odoo, *key);
  odoo.on_server_time([&](std::int64_t at) { (*ledger)->clock_check().observe("Odoo", at); });
  if (const auto connected = odoo.connect(); !connected.ok()) {
    err << "edgestock pull: " << connected.message << "\n";
    return 1;
  }
  if (const auto problem = (*ledger)->clock_check().problem(clock.now_ms()); !problem.empty()) {
    err << "edgestock pull: warning: " << problem << "\n";
  }
  auto scope = sync::pull_scope(settings->odoo);
  scope.now_ms = clock.now_ms();
  const auto report = sync::pull_catalogue(odoo, **ledger, scope, full, show_progress);
  if (!report.ok()) {
    err << "edgestock pull: stopped: " << report.failure.message << "\n";
    return 1;
  }
  out << "Odoo " << odoo.server_major_version() << ": " << sync::describe(report) << "\n";
  return 0;
}

int run_reconcile(const std::string& config_path, bool json, std::ostream& out, std::ostream& err) {
  const auto settings = load_settings_or_explain(config_path, "reconcile", err);
  if (!settings) return 1;
  if (!settings->odoo.enabled) {
    err << "edgestock reconcile: odoo.enabled is false in " << config_path << "\n";
    return 1;
  }
  const auto key = config::read_secret_file("odoo.api_key_file", settings->odoo.api_key_file);
  if (!key) {
    err << "edgestock reconcile: " << key.error() << "\n";
    return 1;
  }
  storage::SystemClock clock;
  auto ledger =
      storage::Ledger::open(ledger_options(*settings, true), clock);  // reads only: works while the agent runs
  if (!ledger) {
    err << "edgestock reconcile: " << ledger.error().message << "\n";
    return 1;
  }
  sync::OdooClient odoo(settings->odoo, *key);
  if (const auto connected = odoo.connect(); !connected.ok()) {
    err << "edgestock reconcile: " << connected.message << "\n";
    return 1;
  }
  const auto site = odoo_site(*settings, **ledger);
  const auto input = sync::read_for_reconcile(odoo, **ledger, site.locations, clock.now_ms());
  if (!input) {
    err << "edgestock reconcile: Odoo could not be read: " << input.error().message << "\n";
    return 1;
  }
  const auto report = sync::reconcile(*input);
  out << (json ? sync::report_json(report) + "\n" : sync::report_text(report));
  return report.loud() ? 1 : 0;
}

}  // namespace

int run_command(const Command& command, std::ostream& out, std::ostream& err) {
  storage::SystemClock clock;
  switch (command.verb) {
    case Verb::help:
      out << command.help_text;
      return 0;
    case Verb::version:
      out << "edgestock " << EDGESTOCK_VERSION << "\n";
      return 0;
    case Verb::config_keys:
      for (const auto& key : config::describe_keys()) {
        out << key.key << " = " << key.default_value << "\n    " << key.meaning << "\n";
      }
      return 0;
    case Verb::demo:
      return run_demo(command.ledger_path.empty() ? fresh_demo_ledger() : std::filesystem::path(command.ledger_path),
                      out, err);
    case Verb::decode:
      return run_decode(command.scans, command.json, std::cin, out);
    case Verb::run:
      return run_agent(command.config_path, out, err);
    case Verb::pull:
      return run_pull(command.config_path, command.full, out, err);
    case Verb::exceptions:
      return run_exceptions(command, out, err);
    case Verb::config:
      return run_config_command(command, out, err);
    case Verb::reconcile:
      return run_reconcile(command.config_path, command.json, out, err);
    case Verb::moves:
      return run_moves(command, out, err);
    case Verb::status:
      return run_status(command, out, err);
    case Verb::audit:
      return run_audit_verify(command, out, err);
    case Verb::scan:
      return run_scan(command, out, err);
    case Verb::doctor:
      return run_doctor(command, out, err);
    case Verb::stock: {
      auto ledger = open_configured_ledger(command.config_path, clock);
      if (!ledger) {
        err << "edgestock stock: " << ledger.error() << "\n";
        return 1;
      }
      StockFilter filter;
      filter.location = command.location;
      filter.product = command.product_text;
      filter.lot = command.lot_text;
      filter.expiring_days = command.expiring_days;
      filter.below_min = command.below_min;
      filter.json = command.json;
      filter.now_ms = clock.now_ms();
      if (!print_stock(**ledger, out, err, filter)) return 1;
      return 0;
    }
    case Verb::check: {
      auto ledger = open_configured_ledger(command.config_path, clock);
      if (!ledger) {
        err << "edgestock check: " << ledger.error() << "\n";
        return 1;
      }
      const auto problems = (*ledger)->check_integrity();
      for (const auto& problem : problems) err << "edgestock check: database: " << problem << "\n";
      const auto verdict = (*ledger)->audit().verify();
      if (const auto broken = verdict.first_broken) {
        err << "edgestock check: audit chain broken at entry " << *broken << ": " << verdict.reason << "\n";
      }
      out << "ledger " << (*ledger)->options().path.string() << ": " << (problems.empty() ? "sound" : "DAMAGED")
          << "; audit chain of " << verdict.entries_checked << " entries " << (verdict.intact() ? "intact" : "BROKEN")
          << "\n";
      bool kept_entry_matches = true;
      if (!command.expect_audit.empty()) {
        const auto kept = parse_kept_audit_entry(command.expect_audit);
        if (!kept) {
          err << "edgestock check: --expect-audit needs an entry as NUMBER:HASH\n";
          return 2;
        }
        const auto number = kept->number;
        const auto entry = (*ledger)->audit().entry(number);
        kept_entry_matches = entry && entry->hash == kept->hash;
        if (!entry) {
          err << "edgestock check: audit entry " << number << ", kept outside the terminal, is not in the log\n";
        } else if (!kept_entry_matches) {
          err << "edgestock check: audit entry " << number
              << " is not the one kept outside the terminal: the log was rewritten up to there\n";
        } else {
          out << "audit entry " << number << " matches the copy kept outside the terminal\n";
        }
      }
      return problems.empty() && verdict.intact() && kept_entry_matches ? 0 : 1;
    }
  }
  return 2;
}

}  // namespace edgestock::agent
