// libFuzzer target: a scan session driven by arbitrary lines (one scan per
// line) and ticks must never crash, and every move it hands out must pass the
// ledger's own rules or be a reversal.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edgestock/scanners/line_splitter.hpp"
#include "edgestock/scanners/scan_session.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace edgestock;
  using namespace edgestock::scanners;
  SessionPolicy policy;
  policy.default_location = "WARD3";
  policy.roles["nurse"] = {Command::issue, Command::count, Command::receive, Command::transfer};
  policy.auto_confirm_ms = 5000;
  policy.recalled.insert({"05012345670027", "BAD1"});
  auto resolve = [](const DecodedScan& scan) {
    ResolvedProduct product;
    product.ref.gtin = scan.gtin;
    product.ref.code = scan.code.empty() ? scan.hibc_labeler + scan.hibc_product : scan.code;
    product.uom = storage::UnitOfMeasure("Units");
    product.per_scan = scan.gtin.starts_with('1') ? storage::Quantity::units(12) : storage::Quantity::units(1);
    return product;
  };
  ScanSession session(policy, resolve, [](auto&&...) { return storage::Quantity::units(7); });
  LineSplitter splitter;
  std::int64_t now = 1'795'000'000'000;
  const DecodeContext context{};
  for (const auto& line : splitter.feed(std::string_view(reinterpret_cast<const char*>(data), size))) {
    now += 1000;
    const auto decoded = decode_scan(line.text, context);
    const auto output = decoded ? session.on_scan(*decoded, line.text, now) : session.on_unreadable(decoded.error());
    std::vector<storage::MoveId> ids;
    for (const auto& move : output.moves) {
      if (move.kind != storage::MoveKind::reversal && move.product.key().empty() == false &&
          storage::check_move_request(move).has_value() && !move.qty.is_zero()) {
        __builtin_trap();
      }
      ids.push_back(storage::MoveId::generate(now));
    }
    session.recorded(ids);
    (void)session.on_tick(now + 6000);
  }
  return 0;
}
