#pragma once
// Strong types for the names and ids a store deals in, so that a location
// code can never be passed where an operator badge is expected.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace edgestock::storage {

template <typename Tag>
class Name {
 public:
  Name() = default;
  explicit Name(std::string value) : value_(std::move(value)) {}
  [[nodiscard]] const std::string& str() const { return value_; }
  [[nodiscard]] bool empty() const { return value_.empty(); }
  auto operator<=>(const Name&) const = default;

 private:
  std::string value_;
};

using LocationCode = Name<struct LocationCodeTag>;
using TerminalId = Name<struct TerminalIdTag>;
using SiteId = Name<struct SiteIdTag>;
using OperatorId = Name<struct OperatorIdTag>;
using UnitOfMeasure = Name<struct UnitOfMeasureTag>;

// A move's id: a UUIDv7 in its canonical lowercase text form. Time-ordered,
// so ids sort roughly by when they were made.
class MoveId {
 public:
  MoveId() = default;
  // Accepts only the canonical 36-character form of a version 7 UUID.
  static std::optional<MoveId> parse(std::string_view text);
  // A fresh UUIDv7 for the given Unix time in milliseconds (random bits from
  // the kernel's getrandom).
  static MoveId generate(std::int64_t unix_ms);

  [[nodiscard]] const std::string& str() const { return text_; }
  [[nodiscard]] bool empty() const { return text_.empty(); }
  auto operator<=>(const MoveId&) const = default;

 private:
  explicit MoveId(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

// Position of a move in its terminal's ledger: 1, 2, 3... with no gaps.
struct Seq {
  std::int64_t value = 0;
  auto operator<=>(const Seq&) const = default;
};

}  // namespace edgestock::storage
