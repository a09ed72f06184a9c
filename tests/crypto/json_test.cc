#include "crypto/json.h"

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using testing::ReadFile;
using testing::SharedPath;
using testing::Unhex;

const char* const kVectorNames[] = {"arrays", "french", "structures", "unicode", "values", "weird"};

std::string Canon(std::string_view text) {
  Result<Json> parsed = ParseJson(text);
  INFO(parsed.status().ToString());
  REQUIRE(parsed.ok());
  Result<std::string> canon = Canonicalize(*parsed);
  INFO(canon.status().ToString());
  REQUIRE(canon.ok());
  return *canon;
}

// The slug ParseJson fails with ("" if it succeeds).
std::string ParseSlug(std::string_view text, const JsonParseOptions& options = {}) {
  Result<Json> r = ParseJson(text, options);
  return r.ok() ? std::string() : r.status().slug();
}

std::string CanonSlug(const Json& value, const JsonParseOptions& options = {}) {
  Result<std::string> r = Canonicalize(value, options);
  return r.ok() ? std::string() : r.status().slug();
}

std::string Nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// ---------------------------------------------------------------------------
// RFC 8785 vectors
// ---------------------------------------------------------------------------

TEST_CASE("jcs: every input in shared/vectors/jcs canonicalizes to the exact output bytes",
          "[crypto]") {
  for (const char* name : kVectorNames) {
    INFO(name);
    const std::string input =
        ReadFile(SharedPath(std::string("vectors/jcs/input/") + name + ".json"));
    const std::string output =
        ReadFile(SharedPath(std::string("vectors/jcs/output/") + name + ".json"));
    std::string outhex = ReadFile(SharedPath(std::string("vectors/jcs/outhex/") + name + ".txt"));
    std::string hex;
    for (char c : outhex) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex.push_back(c);
    }
    REQUIRE(Unhex(hex) == output);  // The two expected forms agree.
    CHECK(Canon(input) == output);
  }
}

TEST_CASE("jcs: canonicalizing canonical output again changes nothing", "[crypto]") {
  std::vector<std::string> inputs;
  for (const char* name : kVectorNames) {
    inputs.push_back(ReadFile(SharedPath(std::string("vectors/jcs/input/") + name + ".json")));
  }
  inputs.push_back(ReadFile(SharedPath("vectors/eddsa-jcs-2022/unsigned.json")));
  inputs.push_back(ReadFile(SharedPath("vectors/eddsa-jcs-2022/signedJCS.json")));
  inputs.push_back(ReadFile(SharedPath("vectors/eddsa-jcs-2022/proofConfigJCS.json")));
  for (const std::string& input : inputs) {
    const std::string once = Canon(input);
    CHECK(Canon(once) == once);
  }
}

TEST_CASE("jcs: the W3C eddsa-jcs-2022 documents canonicalize to the published bytes", "[crypto]") {
  CHECK(Canon(ReadFile(SharedPath("vectors/eddsa-jcs-2022/unsigned.json"))) ==
        ReadFile(SharedPath("vectors/eddsa-jcs-2022/canonDocJCS.txt")));
  CHECK(Canon(ReadFile(SharedPath("vectors/eddsa-jcs-2022/proofConfigJCS.json"))) ==
        ReadFile(SharedPath("vectors/eddsa-jcs-2022/proofCanonJCS.txt")));
}

TEST_CASE("jcs: every double in numbers.csv serializes as ECMAScript Number::toString",
          "[crypto]") {
  std::ifstream in(SharedPath("vectors/jcs/numbers.csv"), std::ios::binary);
  REQUIRE(in);
  std::string line;
  std::size_t lines = 0;
  std::size_t non_finite = 0;
  std::vector<std::string> failures;
  while (std::getline(in, line)) {
    ++lines;
    const std::size_t comma = line.find(',');
    REQUIRE(comma == 16);
    const std::string bytes = Unhex(line.substr(0, 16));
    std::uint64_t bits = 0;
    for (unsigned char c : bytes) bits = (bits << 8) | c;
    const double d = std::bit_cast<double>(bits);
    const std::string expected = line.substr(comma + 1);
    if (!std::isfinite(d)) {
      ++non_finite;
      if (CanonSlug(Json(d)) != "jcs.non-finite") failures.push_back(line + " (accepted)");
      continue;
    }
    const std::string got = FormatEcmaNumber(d);
    if (got != expected) {
      failures.push_back(line + " got " + got);
      continue;
    }
    // The same through the public path, and back: the text parses to the same
    // double (modulo the sign of zero) and re-serializes identically.
    Result<std::string> canon = Canonicalize(Json(d));
    if (!canon.ok() || *canon != expected) {
      failures.push_back(line + " (Canonicalize)");
      continue;
    }
    Result<Json> reparsed = ParseJson(expected);
    if (!reparsed.ok() || reparsed->get<double>() != d ||
        Canonicalize(*reparsed).value_or("") != expected) {
      failures.push_back(line + " (round trip)");
    }
  }
  CHECK(lines == 100027);
  INFO("non-finite rows: " << non_finite);
  if (failures.size() > 20) failures.resize(20);
  CHECK(failures == std::vector<std::string>{});
}

// ---------------------------------------------------------------------------
// Canonical form details
// ---------------------------------------------------------------------------

TEST_CASE("jcs: numbers are IEEE doubles, so big integers round and -0 is 0", "[crypto]") {
  CHECK(Canon("9007199254740993") == "9007199254740992");
  CHECK(Canon("-9007199254740993") == "-9007199254740992");
  CHECK(Canon("18446744073709551615") == "18446744073709552000");
  CHECK(Canon("-0") == "0");
  CHECK(Canon("-0.0") == "0");
}

TEST_CASE("jcs: integer-valued Json numbers go through the double conversion", "[crypto]") {
  CHECK(*Canonicalize(Json(std::int64_t{9007199254740993})) == "9007199254740992");
  CHECK(*Canonicalize(Json(std::uint64_t{18446744073709551615u})) == "18446744073709552000");
  CHECK(*Canonicalize(Json(std::numeric_limits<std::int64_t>::min())) == "-9223372036854776000");
  CHECK(*Canonicalize(Json(-0.0)) == "0");
  CHECK(*Canonicalize(Json(42)) == "42");
}

TEST_CASE("jcs: FormatEcmaNumber switches to exponent form at 1e21 and 1e-7", "[crypto]") {
  CHECK(FormatEcmaNumber(1e20) == "100000000000000000000");
  CHECK(FormatEcmaNumber(1e21) == "1e+21");
  CHECK(FormatEcmaNumber(1.5e21) == "1.5e+21");
  CHECK(FormatEcmaNumber(1e-6) == "0.000001");
  CHECK(FormatEcmaNumber(1e-7) == "1e-7");
  CHECK(FormatEcmaNumber(-1.25e-7) == "-1.25e-7");
  CHECK(FormatEcmaNumber(0.1) == "0.1");
  CHECK(FormatEcmaNumber(123.456) == "123.456");
  CHECK(FormatEcmaNumber(5e-324) == "5e-324");
  CHECK(FormatEcmaNumber(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(FormatEcmaNumber(-0.0) == "0");
}

TEST_CASE("jcs: strings escape only quote, backslash and control characters", "[crypto]") {
  CHECK(Canon(R"("\u0000\u0001\b\t\n\u000b\f\r\u001f\u001F")") ==
        R"("\u0000\u0001\b\t\n\u000b\f\r\u001f\u001f")");
  CHECK(Canon(R"("\"\\\/")") == R"("\"\\/")");
  CHECK(Canon(R"("\u007f\u0080\u00e9\u20ac\ud83d\ude00")") ==
        "\"\x7f\xc2\x80\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  CHECK(Canon("\"\xd0\xb8\xd0\xbc\xd1\x8f\"") == "\"\xd0\xb8\xd0\xbc\xd1\x8f\"");  // "имя"
}

TEST_CASE("jcs: a special byte is escaped or rejected at every position of a long string",
          "[crypto]") {
  // Exercises the 8-bytes-at-a-time scan: each special byte at every offset.
  const std::pair<std::string, std::string> cases[] = {
      {"\"", "\\\""}, {"\\", "\\\\"},   {"\x01", "\\u0001"},      {"\x1f", "\\u001f"},
      {"\n", "\\n"},  {"\x7f", "\x7f"}, {"\xc3\xa9", "\xc3\xa9"}, {" ", " "}};
  for (const auto& [raw, escaped] : cases) {
    for (std::size_t pos = 0; pos <= 24; ++pos) {
      const std::string a(pos, 'a');
      const std::string b(24 - pos, 'b');
      INFO("byte " << testing::Hex(raw) << " at " << pos);
      CHECK(*Canonicalize(Json(a + raw + b)) == "\"" + a + escaped + b + "\"");
    }
  }
  for (std::size_t pos = 0; pos <= 24; ++pos) {
    CHECK(CanonSlug(Json(std::string(pos, 'a') + "\xff" + std::string(24 - pos, 'b'))) ==
          "jcs.invalid-utf8");
  }
}

TEST_CASE("jcs: members sort by UTF-16 code units, so U+1F600 precedes U+E000 and U+FFFD",
          "[crypto]") {
  // UTF-8 byte order would be U+E000 (EE..) < U+FFFD (EF..) < U+1F600 (F0..);
  // UTF-16 puts the surrogate pair D83D DE00 before E000 and FFFD.
  const std::string text = R"({"\ufffd":3,"\ue000":2,"\ud83d\ude00":1,"z":0,"\u00e9":4})";
  CHECK(Canon(text) ==
        "{\"z\":0,\"\xc3\xa9\":4,\"\xf0\x9f\x98\x80\":1,\"\xee\x80\x80\":2,\"\xef\xbf\xbd\":3}");
  // Prefixes and shared leading characters.
  CHECK(Canon(R"({"ab":1,"a":2,"\ud83d\ude00b":3,"\ud83d\ude00":4,"\ue000":5})") ==
        "{\"a\":2,\"ab\":1,\"\xf0\x9f\x98\x80\":4,\"\xf0\x9f\x98\x80"
        "b\":3,\"\xee\x80\x80\":5}");
}

TEST_CASE("jcs: nesting up to max_depth is accepted and one more level is rejected", "[crypto]") {
  JsonParseOptions options;
  options.max_depth = 5;
  CHECK(ParseSlug(Nested(5), options) == "");
  CHECK(ParseSlug(Nested(6), options) == "json.too-deep");
  CHECK(ParseSlug(R"({"a":{"b":{"c":{"d":{"e":{}}}}}})", options) == "json.too-deep");

  Result<Json> deep = ParseJson(Nested(6));
  REQUIRE(deep.ok());
  CHECK(CanonSlug(*deep, options) == "jcs.too-deep");
  CHECK(Canonicalize(*deep, options).status().field() == "/0/0/0/0/0");
  options.max_depth = 6;
  CHECK(CanonSlug(*deep, options) == "");
  CHECK(CanonSlug(Json(1), JsonParseOptions{0, 100}) == "");  // Scalars have no depth.
}

TEST_CASE("json: very deep input is rejected without exhausting the stack", "[crypto]") {
  CHECK(ParseSlug(Nested(1000000)) == "json.too-deep");
  CHECK(ParseSlug(std::string(1000000, '[')) == "json.too-deep");
  Result<Json> r = ParseJson(R"({"a":[1,{"b":)" + Nested(70) + "}]}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().slug() == "json.too-deep");
  CHECK(r.status().field().rfind("/a/1/b/0/0", 0) == 0);
}

// ---------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------

TEST_CASE("json: duplicate object keys are rejected, top-level and nested, naming the key",
          "[crypto]") {
  Result<Json> r = ParseJson(R"({"a":1,"b":2,"a":3})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().slug() == "json.duplicate-key");
  CHECK(r.status().message().find("\"a\"") != std::string::npos);
  CHECK(r.status().field() == "/a");

  r = ParseJson(R"({"x":[0,{"k/~":{},"k/~":null}]})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().slug() == "json.duplicate-key");
  CHECK(r.status().message().find("k/~") != std::string::npos);
  CHECK(r.status().field() == "/x/1/k~1~0");

  // Equal after unescaping is equal.
  CHECK(ParseSlug(R"({"a":1,"\u0061":2})") == "json.duplicate-key");
  CHECK(ParseSlug(R"({"a":{"a":1},"b":{"a":1}})") == "");
}

TEST_CASE("json: invalid UTF-8 and lone surrogates are rejected", "[crypto]") {
  CHECK(ParseSlug("\"\xff\"") == "json.invalid-utf8");
  CHECK(ParseSlug("\"\xc0\xaf\"") == "json.invalid-utf8");          // Overlong '/'.
  CHECK(ParseSlug("\"\xed\xa0\x80\"") == "json.invalid-utf8");      // Encoded U+D800.
  CHECK(ParseSlug("\"\xf4\x90\x80\x80\"") == "json.invalid-utf8");  // Above U+10FFFF.
  CHECK(ParseSlug("\"\xe2\x82\"") == "json.invalid-utf8");          // Truncated.
  CHECK(ParseSlug("{\"\x80\":1}") == "json.invalid-utf8");          // In a key.
  CHECK(ParseSlug(R"("\ud800")") == "json.invalid-utf8");           // Lone high.
  CHECK(ParseSlug(R"("\udc00")") == "json.invalid-utf8");           // Lone low.
  CHECK(ParseSlug(R"("\ud800\u0041")") == "json.invalid-utf8");     // High + non-low.
  CHECK(ParseSlug(R"("\udc00\ud800")") == "json.invalid-utf8");     // Reversed pair.
  CHECK(ParseSlug(R"("\ud83d\ude00")") == "");
  // The message stays printable: the offending byte is shown escaped.
  Result<Json> r = ParseJson("[\"ok\", \"\xff\"]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find('\xff') == std::string::npos);
}

TEST_CASE("json: numbers that overflow a double are rejected", "[crypto]") {
  CHECK(ParseSlug("1e400") == "json.number-range");
  CHECK(ParseSlug("-1e400") == "json.number-range");
  CHECK(ParseSlug("[0, 1" + std::string(400, '0') + "]") == "json.number-range");
  CHECK(ParseSlug("1e-400") == "");  // Underflow rounds to 0, as in ECMAScript.
  CHECK(ParseSlug("1.7976931348623157e308") == "");
}

TEST_CASE("json: syntax errors, trailing garbage and empty input are rejected with an offset",
          "[crypto]") {
  for (const char* bad :
       {"",          " ",          "{} x",      "1 2",       "[1],",  "{",
        "[1,]",      "{\"a\":1,}", "{'a':1}",   "01",        "+1",    ".5",
        "1.",        "NaN",        "Infinity",  "-Infinity", "nul",   "[1] // c",
        "/* c */ 1", "\"a\tb\"",   "\"\\x41\"", "{\"a\" 1}", "\"abc", "\xef\xbb\xbf{}"}) {
    INFO("input: " << bad);
    Result<Json> r = ParseJson(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().slug() == "json.syntax");
    CHECK(r.status().message().find("at byte ") != std::string::npos);
  }
  Result<Json> r = ParseJson("{\"a\":1} x");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("at byte 8") != std::string::npos);
  CHECK(ParseSlug(" \t\r\n{\"a\" : [ 1 , true , null ] }\n") == "");
}

TEST_CASE("json: input over max_bytes is rejected before parsing", "[crypto]") {
  JsonParseOptions options;
  options.max_bytes = 8;
  CHECK(ParseSlug("[1,2,3]", options) == "");
  CHECK(ParseSlug("[1,2,3,4]", options) == "json.too-large");
}

TEST_CASE("jcs: NaN and Infinity in a Json value are rejected with the path", "[crypto]") {
  CHECK(CanonSlug(Json(std::numeric_limits<double>::quiet_NaN())) == "jcs.non-finite");
  CHECK(CanonSlug(Json(std::numeric_limits<double>::infinity())) == "jcs.non-finite");
  CHECK(CanonSlug(Json(-std::numeric_limits<double>::infinity())) == "jcs.non-finite");
  Json v = {{"a", {1, 2, std::numeric_limits<double>::infinity()}}};
  Result<std::string> r = Canonicalize(v);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().slug() == "jcs.non-finite");
  CHECK(r.status().field() == "/a/2");
}

TEST_CASE("jcs: strings and member names that are not valid UTF-8 are rejected", "[crypto]") {
  CHECK(CanonSlug(Json("\xff")) == "jcs.invalid-utf8");
  CHECK(CanonSlug(Json("\xed\xa0\x80")) == "jcs.invalid-utf8");  // Encoded surrogate.
  CHECK(CanonSlug(Json("ok \xc3")) == "jcs.invalid-utf8");       // Truncated.
  Json v = Json::object();
  v["good"] = 1;
  v["\xc3("] = 2;
  Result<std::string> r = Canonicalize(v);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().slug() == "jcs.invalid-utf8");
  CHECK(r.status().field() == "/\\xc3(");
  Json w = Json::object();
  w["\xf0\x9f\x98\x80"] = 1;  // Forces the UTF-16 sort path.
  w["\xee\x80\x80"] = Json::array({"\xfe"});
  CHECK(CanonSlug(w) == "jcs.invalid-utf8");
}

TEST_CASE("jcs: binary values are rejected", "[crypto]") {
  CHECK(CanonSlug(Json::binary({1, 2, 3})) == "jcs.binary");
  CHECK(CanonSlug(Json::array({1, Json::binary({1})})) == "jcs.binary");
}

TEST_CASE("json: ParseJson never throws on malformed input", "[crypto]") {
  const std::string doc = ReadFile(SharedPath("vectors/eddsa-jcs-2022/signedJCS.json"));
  // Every prefix and every single-byte corruption of a real document.
  for (std::size_t i = 0; i < doc.size(); ++i) {
    CHECK_NOTHROW((void)ParseJson(doc.substr(0, i)));
    for (char c : {'\0', '"', '}', '\xff', '\\'}) {
      std::string mutated = doc;
      mutated[i] = c;
      Result<Json> r = ParseJson(mutated);
      if (r.ok()) CHECK(Canonicalize(*r).ok());
    }
  }
}

}  // namespace
}  // namespace certledger::crypto
