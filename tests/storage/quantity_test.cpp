#include <catch2/catch.hpp>
#include <limits>
#include <stdexcept>

#include "edgestock/storage/catalogue.hpp"
#include "edgestock/storage/quantity.hpp"

using edgestock::storage::Quantity;

TEST_CASE("quantities parse exactly and print in shortest form", "[quantity]") {
  struct Case {
    const char* text;
    std::int64_t micros;
    const char* shown;
  };
  const Case cases[] = {
      {"12", 12'000'000, "12"},        {"0.5", 500'000, "0.5"}, {"-3.125", -3'125'000, "-3.125"},
      {"1.250000", 1'250'000, "1.25"}, {"+7", 7'000'000, "7"},  {".5", 500'000, "0.5"},
      {"0.000001", 1, "0.000001"},     {"-0", 0, "0"},          {"1000000000", Quantity::kMaxMicros, "1000000000"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto parsed = Quantity::parse(c.text);
    REQUIRE(parsed.has_value());
    CHECK(parsed->as_micros() == c.micros);
    CHECK(parsed->to_string() == c.shown);
  }
}

TEST_CASE("0.1 + 0.2 is exactly 0.3", "[quantity]") {
  const auto sum = Quantity::parse("0.1").value() + Quantity::parse("0.2").value();
  CHECK(sum == Quantity::parse("0.3").value());
  CHECK(sum.to_string() == "0.3");
}

TEST_CASE("malformed quantities are refused with a reason", "[quantity]") {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case cases[] = {
      {"", "empty"},
      {"abc", "not a decimal"},
      {"1e3", "not a decimal"},
      {"1.", "decimal point"},
      {"1.0000001", "6 decimals"},
      {" 1", "not a decimal"},
      {"-", "no digits"},
      {"1000000000.1", "larger"},
      {"99999999999999999999", "larger"},
      {"1,5", "not a decimal"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto parsed = Quantity::parse(c.text);
    REQUIRE_FALSE(parsed.has_value());
    CHECK_THAT(parsed.error(), Catch::Contains(c.reason));
  }
}

TEST_CASE("packaging multiplies without overflow", "[quantity]") {
  CHECK(Quantity::units(10).times(12).value() == Quantity::units(120));
  CHECK(Quantity::parse("0.5").value().times(3).value().to_string() == "1.5");
  CHECK_FALSE(Quantity::units(1'000'000).times(1'000'000).has_value());
}

TEST_CASE("quantity arithmetic never wraps", "[quantity]") {
  const auto near_top = Quantity::micros(std::numeric_limits<std::int64_t>::max() - 1);
  CHECK_THROWS_AS(near_top + Quantity::micros(2), std::overflow_error);
  CHECK_THROWS_AS(-near_top - Quantity::micros(3), std::overflow_error);
  auto sum = near_top;
  CHECK_THROWS_AS(sum += Quantity::micros(5), std::overflow_error);
  CHECK(sum == near_top);  // unchanged by the failed addition
  CHECK_THROWS_AS(-Quantity::micros(std::numeric_limits<std::int64_t>::min()), std::overflow_error);
  CHECK((near_top + Quantity::micros(1)).as_micros() == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("a quantity converts between units of one family, exactly where the ratio allows", "[quantity][uom]") {
  using edgestock::storage::convert;
  using edgestock::storage::Unit;
  using edgestock::storage::UnitOfMeasure;
  const Unit units{1, UnitOfMeasure("Units"), 1, Quantity::units(1)};
  const Unit packs{2, UnitOfMeasure("Packs of 10"), 1, Quantity::units(10)};
  const Unit dozens{3, UnitOfMeasure("Dozens"), 1, Quantity::units(12)};
  const Unit litres{4, UnitOfMeasure("Litres"), 9, Quantity::units(1)};
  CHECK(convert(Quantity::units(25), units, packs) == Quantity::parse("2.5"));
  CHECK(convert(Quantity::parse("2.5").value(), packs, units) == Quantity::units(25));
  CHECK(convert(Quantity::units(3), dozens, units) == Quantity::units(36));
  // 7 / 12 = 0.583333..., rounded half away from zero to a millionth.
  CHECK(convert(Quantity::units(7), units, dozens) == Quantity::parse("0.583333"));
  CHECK(convert(Quantity::units(-7), units, dozens) == Quantity::parse("-0.583333"));
  CHECK(convert(Quantity::units(5), units, dozens) == Quantity::parse("0.416667"));  // 0.4166666...
  CHECK(convert(Quantity::units(-5), units, dozens) == Quantity::parse("-0.416667"));
  CHECK(convert(Quantity::units(4), units, units) == Quantity::units(4));
  CHECK_FALSE(convert(Quantity::units(1), units, litres).has_value());  // two families
  // Beyond what a stock line holds exactly: refused, never wrapped.
  const Unit huge{5, UnitOfMeasure("Containers"), 1, Quantity::units(1'000'000)};
  CHECK_FALSE(convert(Quantity::units(999'999'999), huge, units).has_value());
}
