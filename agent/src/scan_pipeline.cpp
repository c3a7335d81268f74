#include "scan_pipeline.hpp"

#include "edgestock/config/secret_file.hpp"
#include "encounter.hpp"

#include <algorithm>

#include "edgestock/scanners/catalogue_resolver.hpp"
#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/dates.hpp"

namespace edgestock::agent {
namespace {

std::string shown(const scanners::Prompt& prompt) {
  switch (prompt.level) {
    case scanners::Prompt::Level::info:
      return "OK " + prompt.text;
    case scanners::Prompt::Level::warning:
      return "WARNING " + prompt.text;
    case scanners::Prompt::Level::refused:
      return "REFUSED " + prompt.text;
  }
  return prompt.text;
}

scanners::Command command_named(const std::string& name) {
  if (name == "receive") return scanners::Command::receive;
  if (name == "transfer") return scanners::Command::transfer;
  if (name == "count") return scanners::Command::count;
  return scanners::Command::issue;
}

void set_prefixes(scanners::DecodeContext& context, const config::ScannerSettings& scanners) {
  context.scheme.location = scanners.prefix_location;
  context.scheme.operator_badge = scanners.prefix_operator;
  context.scheme.command = scanners.prefix_command;
  context.scheme.product_code = scanners.prefix_product;
}

// A scan counts by the worst of what it was answered.
void count_answer(ScanCounters& counters, const std::vector<std::string>& lines) {
  const auto said = [&lines](const char* level) {
    return std::any_of(lines.begin(), lines.end(), [level](const std::string& l) { return l.starts_with(level); });
  };
  if (said("REFUSED")) {
    ++counters.refused;
  } else if (said("WARNING")) {
    ++counters.warned;
  } else {
    ++counters.ok;
  }
}

}  // namespace

scanners::SessionPolicy session_policy(const config::Settings& settings) {
  const auto& s = settings.session;
  scanners::SessionPolicy policy;
  policy.default_location = s.default_location;
  policy.consumption_location = s.consumption_location;
  policy.receipt_source = s.receipt_source;
  policy.cost_centres = s.cost_centres;
  policy.block_expired_issue = s.block_expired_issue;
  policy.auto_confirm_ms = std::int64_t{s.auto_confirm_s} * 1000;
  policy.idle_logout_ms = std::int64_t{s.idle_logout_s} * 1000;
  for (const auto& [badge, actions] : s.operators) {
    for (const auto& action : actions) policy.roles[badge].insert(command_named(action));
  }
  for (const auto& recalled : s.recalled_lots) policy.recalled.insert(recalled);
  policy.gln_locations = s.gln_locations;
  if (!s.encounter_key_file.empty()) {
    // The secret stays in this closure: never in the settings, a log or a prompt.
    auto secret = config::read_secret_file("session.encounter_key_file", s.encounter_key_file);
    if (secret) {
      policy.encounter_of = [key = std::move(*secret)](std::string_view gsrn) {
        return encounter_reference(key, gsrn);
      };
    } else {
      policy.encounter_problem = secret.error();
    }
  }
  return policy;
}

ScanPipeline::ScanPipeline(storage::Ledger& ledger, const config::Settings& settings, const storage::Clock& clock,
                           std::function<void()> on_recorded,
                           std::function<void(const std::string&, const std::string&)> on_alert)
    : ledger_(ledger),
      clock_(clock),
      policy_(session_policy(settings)),
      on_recorded_(std::move(on_recorded)),
      on_alert_(std::move(on_alert)) {
  set_prefixes(context_, settings.scanners);
}

std::vector<std::string> ScanPipeline::reconfigure(const config::Settings& settings) {
  policy_ = session_policy(settings);
  set_prefixes(context_, settings.scanners);
  std::vector<std::string> lines;
  for (auto& [source, session] : sessions_) {
    for (auto& text : finish(session, session.set_policy(policy_), 0)) lines.push_back(source + ": " + text);
  }
  return lines;
}

std::optional<std::int64_t> ScanPipeline::next_deadline_ms() const {
  std::optional<std::int64_t> next;
  for (const auto& [source, session] : sessions_) {
    if (const auto at = session.next_deadline_ms(); at && (!next || *at < *next)) next = at;
  }
  return next;
}

scanners::ScanSession& ScanPipeline::session_of(const std::string& source) {
  if (auto found = sessions_.find(source); found != sessions_.end()) return found->second;
  auto& ledger = ledger_;
  return sessions_
      .try_emplace(source, policy_, scanners::catalogue_resolver(ledger.catalogue()),
                   [&ledger](const std::string& location, const std::string& key,
                             const std::string& lot) -> std::optional<storage::Quantity> {
                     const auto line = ledger.stock_line(storage::LocationCode(location), key, lot);
                     if (!line) return std::nullopt;  // unreadable: not "none on the shelf"
                     return *line ? (*line)->on_hand() : storage::Quantity{};
                   })
      .first->second;
}

std::vector<std::string> ScanPipeline::on_line(const std::string& source, const scanners::LineSplitter::Line& line) {
  const auto now = clock_.now_ms();
  // A clock that cannot be right would read a 2027 expiry as 1927: the
  // century is then taken from the earliest plausible date instead.
  const auto clock_problem = ledger_.clock_check().problem(now);
  context_.today_year = storage::utc_year(clock_problem.empty() ? now : storage::kEarliestPlausibleMs);
  // Decoding is pure, so it comes first; the raw scan is durable before
  // anything acts on it. A patient's wristband is journaled without its data;
  // a scan that does not decode is kept as it came.
  std::optional<std::expected<scanners::DecodedScan, scanners::ScanError>> decoded;
  if (!line.overlong) decoded = scanners::decode_scan(line.text, context_);
  const bool patient = decoded && *decoded && scanners::names_a_patient(**decoded);
  const auto journaled =
      ledger_.journal_scan(source, patient ? std::string(scanners::kPatientScanJournaled) : line.text);
  if (!journaled) {
    if (counters_ != nullptr) ++counters_->refused;
    return {"REFUSED the terminal cannot record scans now: " + journaled.error().message};
  }
  if (!decoded) {
    const std::string reason = "the scan is longer than 4096 characters; nothing was recorded";
    (void)ledger_.note_scan_outcome(*journaled, "refused: " + reason);
    if (counters_ != nullptr) ++counters_->refused;
    return {"REFUSED " + reason};
  }
  auto& session = session_of(source);
  session.set_clock_problem(clock_problem);
  if (!*decoded) return finish(session, session.on_unreadable(decoded->error()), *journaled);
  return finish(session, session.on_scan(**decoded, line.text, now), *journaled);
}

std::vector<std::string> ScanPipeline::on_tick() {
  std::vector<std::string> lines;
  for (auto& [source, session] : sessions_) {
    for (auto& text : finish(session, session.on_tick(clock_.now_ms()), 0)) lines.push_back(source + ": " + text);
  }
  return lines;
}

std::vector<std::string> ScanPipeline::on_source_closed(const std::string& source) {
  const auto found = sessions_.find(source);
  if (found == sessions_.end()) return {};
  std::vector<std::string> lines;
  if (const auto open = found->second.pending_lines(); open > 0) {
    lines.push_back(source + " closed with " + std::to_string(open) +
                    " open lines never confirmed; nothing was recorded for them");
  }
  sessions_.erase(found);
  return lines;
}

std::vector<std::string> ScanPipeline::finish(scanners::ScanSession& session, const scanners::SessionOutput& output,
                                              std::int64_t scan_id) {
  std::vector<std::string> lines;
  // What became of the scan, for its journal entry: what the operator was
  // told, then the moves recorded.
  std::string outcome;
  auto add_outcome = [&outcome](const std::string& part) { outcome += (outcome.empty() ? "" : "; ") + part; };
  for (const auto& prompt : output.prompts) {
    lines.push_back(shown(prompt));
    const char* level = prompt.level == scanners::Prompt::Level::refused   ? "refused: "
                        : prompt.level == scanners::Prompt::Level::warning ? "warning: "
                                                                           : "ok: ";
    add_outcome(level + prompt.text);
    if (!prompt.alert.empty() && on_alert_) on_alert_(prompt.alert, prompt.text);
  }
  std::vector<storage::MoveId> recorded;
  for (const auto& request : output.moves) {
    auto move = ledger_.record(request);
    if (!move) {
      // Not "refused" when the disk may have kept it: a rescan would issue twice.
      const bool unknown = move.error().code == storage::LedgerError::Code::outcome_unknown;
      lines.push_back((unknown ? "WARNING " : "REFUSED ") + move.error().message);
      add_outcome((unknown ? "unknown: " : "refused: ") + move.error().message);
      if (counters_ != nullptr) ++counters_->record_failures;
      continue;
    }
    recorded.push_back(move->id);
    if (counters_ != nullptr) ++counters_->moves.at(static_cast<std::size_t>(move->request.kind));
    add_outcome("move " + std::to_string(move->seq.value));
    lines.push_back("OK recorded #" + std::to_string(move->seq.value) + " " +
                    std::string(storage::to_string(move->request.kind)) + " " + move->request.qty.to_string() + " " +
                    move->request.uom.str());
  }
  if (!recorded.empty()) {
    session.recorded(recorded);
    if (on_recorded_) on_recorded_();
  }
  if (scan_id > 0 && !outcome.empty()) (void)ledger_.note_scan_outcome(scan_id, outcome);
  if (scan_id > 0 && counters_ != nullptr) count_answer(*counters_, lines);
  return lines;
}

}  // namespace edgestock::agent
