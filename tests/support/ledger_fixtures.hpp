#pragma once
// Small builders shared by the storage tests.

#include <atomic>
#include <memory>
#include <string>

#include "edgestock/storage/ledger.hpp"
#include "temp_dir.hpp"

namespace edgestock::testing {

// A clock the test moves by hand.
class ManualClock final : public storage::Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'795'000'000'000) : now_(start_ms) {}
  [[nodiscard]] std::int64_t now_ms() const override { return now_.load(); }
  void advance(std::int64_t ms) { now_ += ms; }
  void set(std::int64_t ms) { now_ = ms; }

 private:
  std::atomic<std::int64_t> now_;
};

inline storage::LedgerOptions ledger_options(const std::filesystem::path& path) {
  storage::LedgerOptions options;
  options.path = path;
  options.terminal = storage::TerminalId("ward3-t1");
  options.site = storage::SiteId("stjames");
  options.wal_reserve_bytes = std::int64_t{1} << 20;  // the tests open hundreds of ledgers
  return options;
}

inline storage::Quantity qty(const char* text) {
  return storage::Quantity::parse(text).value();
}

// An issue of `amount` boxes... of gloves from Ward 3's store by default.
inline storage::MoveRequest issue(const char* amount = "1", const std::string& gtin = "05012345678900",
                                  const std::string& lot = "") {
  storage::MoveRequest r;
  r.kind = storage::MoveKind::issue;
  r.product.gtin = gtin;
  r.lot = lot;
  r.qty = qty(amount);
  r.uom = storage::UnitOfMeasure("Units");
  r.from = storage::LocationCode("WARD3");
  r.to = storage::LocationCode("CONSUME");
  r.operator_id = storage::OperatorId("nurse-042");
  r.cost_centre = "CC-W3";
  return r;
}

inline storage::MoveRequest receipt(const char* amount = "10", const std::string& gtin = "05012345678900",
                                    const std::string& lot = "") {
  storage::MoveRequest r = issue(amount, gtin, lot);
  r.kind = storage::MoveKind::receipt;
  r.from = storage::LocationCode("PHARM");
  r.to = storage::LocationCode("WARD3");
  r.cost_centre.clear();
  return r;
}

inline std::unique_ptr<storage::Ledger> open_ledger(const storage::LedgerOptions& options,
                                                    const storage::Clock& clock) {
  auto ledger = storage::Ledger::open(options, clock);
  if (!ledger) throw std::runtime_error("open failed: " + ledger.error().message);
  return std::move(*ledger);
}

inline std::unique_ptr<storage::Ledger> open_ledger(const std::filesystem::path& path, const storage::Clock& clock) {
  return open_ledger(ledger_options(path), clock);
}

}  // namespace edgestock::testing
