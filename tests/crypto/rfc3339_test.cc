#include "crypto/rfc3339.h"

#include <catch2/catch.hpp>

namespace certledger::crypto {
namespace {

TEST_CASE("rfc3339: formats and parses UTC timestamps round trip", "[crypto]") {
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(1677281798000) == "2023-02-24T23:36:38Z");
  CHECK(FormatRfc3339(1677281798123, true) == "2023-02-24T23:36:38.123Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59Z");
  for (int64_t ms :
       {int64_t{0}, int64_t{951782400000}, int64_t{1798750799999}, int64_t{-86400001}}) {
    CHECK(*ParseRfc3339(FormatRfc3339(ms, true)) == ms);
  }
}

TEST_CASE("rfc3339: offsets, fractions and lower-case separators are understood", "[crypto]") {
  // 2026-12-31T23:59:59.999+03:00 is the last instant of 2026 in Europe/Moscow.
  CHECK(*ParseRfc3339("2026-12-31T23:59:59.999+03:00") ==
        *ParseRfc3339("2026-12-31T20:59:59.999Z"));
  CHECK(*ParseRfc3339("2026-01-01t00:00:00z") == *ParseRfc3339("2026-01-01T00:00:00Z"));
  CHECK(*ParseRfc3339("2026-01-01T00:00:00.5Z") == *ParseRfc3339("2026-01-01T00:00:00Z") + 500);
  CHECK(*ParseRfc3339("2026-01-01T00:00:00-01:30") == *ParseRfc3339("2026-01-01T01:30:00Z"));
}

TEST_CASE("rfc3339: malformed and impossible timestamps are rejected", "[crypto]") {
  for (const char* bad :
       {"", "2026-01-01", "2026-01-01T00:00:00", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+3:00", "2026-01-01T00:00:00Zjunk",
        "20x6-01-01T00:00:00Z"}) {
    auto r = ParseRfc3339(bad);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "time.malformed");
  }
  CHECK(ParseRfc3339("2024-02-29T00:00:00Z").ok());
}

TEST_CASE("rfc3339: dates parse and format", "[crypto]") {
  CHECK(*ParseDate("1970-01-02") == 1);
  CHECK(FormatDate(*ParseDate("2000-02-29")) == "2000-02-29");
  CHECK_FALSE(ParseDate("1900-02-29").ok());
  CHECK_FALSE(ParseDate("2026-1-01").ok());
}

}  // namespace
}  // namespace certledger::crypto
