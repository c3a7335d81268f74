#pragma once
// Exact stock quantities. A quantity is a whole number of millionths of its
// unit of measure: no floating point anywhere between a scan and the ERP.

#include <compare>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace edgestock::storage {

class Quantity {
 public:
  static constexpr int kDecimals = 6;
  static constexpr std::int64_t kScale = 1'000'000;
  // Largest magnitude one move may carry: a billion units. Sums of many moves
  // stay far inside 64 bits.
  static constexpr std::int64_t kMaxMicros = 1'000'000'000LL * kScale;
  // Largest magnitude a stock line (baseline, pending, on hand) may reach: a
  // thousand times that, still far inside 64 bits.
  static constexpr std::int64_t kMaxStockMicros = 1000 * kMaxMicros;

  constexpr Quantity() = default;
  static constexpr Quantity units(std::int64_t whole) { return Quantity(whole * kScale); }
  static constexpr Quantity micros(std::int64_t value) { return Quantity(value); }

  // Parses "12", "-3", "0.5", "1.250000". Rejects exponents, spaces, more than
  // six decimals and magnitudes above kMaxMicros, naming the reason.
  static std::expected<Quantity, std::string> parse(std::string_view text);

  // Shortest exact decimal: "12", "-0.5", "3.125".
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] constexpr std::int64_t as_micros() const { return micros_; }
  [[nodiscard]] constexpr bool is_zero() const { return micros_ == 0; }
  [[nodiscard]] constexpr bool is_negative() const { return micros_ < 0; }

  // Checked: a result outside 64 bits throws std::overflow_error (never
  // wraps). Moves are bounded by kMaxMicros and stock lines by
  // kMaxStockMicros, so the ledger refuses long before this can happen.
  Quantity operator-() const { return Quantity(checked(0, micros_, true)); }
  Quantity operator+(Quantity other) const { return Quantity(checked(micros_, other.micros_, false)); }
  Quantity operator-(Quantity other) const { return Quantity(checked(micros_, other.micros_, true)); }
  Quantity& operator+=(Quantity other) {
    micros_ = checked(micros_, other.micros_, false);
    return *this;
  }
  constexpr auto operator<=>(const Quantity&) const = default;

  // Packaging: a box of `count` units. Fails rather than overflow.
  [[nodiscard]] std::expected<Quantity, std::string> times(std::int64_t count) const;

 private:
  constexpr explicit Quantity(std::int64_t value) : micros_(value) {}
  static std::int64_t checked(std::int64_t a, std::int64_t b, bool subtract);
  std::int64_t micros_ = 0;
};

}  // namespace edgestock::storage
