#include "crypto/encoding.h"

#include <catch2/catch.hpp>

#include "crypto/json.h"
#include "crypto/random.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using testing::Unhex;

TEST_CASE("encoding: base58btc matches the Bitcoin test vectors", "[crypto]") {
  // From bitcoin/src/test/data/base58_encode_decode.json.
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"61", "2g"},
      {"626262", "a3gV"},
      {"636363", "aPEr"},
      {"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
      {"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
      {"516b6fcd0f", "ABnLTmg"},
      {"bf4f89001e670274dd", "3SEo3LWLoPntC"},
      {"572e4794", "3EFU7m"},
      {"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
      {"10c8511e", "Rt5zm"},
      {"00000000000000000000", "1111111111"},
      {"000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5",
       "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"},
  };
  for (const auto& [hex, b58] : kVectors) {
    INFO(hex);
    CHECK(Base58Encode(Unhex(hex)) == b58);
    auto d = Base58Decode(b58);
    REQUIRE(d.ok());
    CHECK(HexEncode(*d) == hex);
  }
  CHECK(Base58Decode("0OIl").status().slug() == "encoding.bad-base58");
}

TEST_CASE("encoding: base58 round-trips random bytes with leading zeros", "[crypto]") {
  for (int i = 0; i < 500; ++i) {
    std::string bytes = std::string(static_cast<size_t>(i % 4), '\0') +
                        RandomBytes(static_cast<size_t>(RandomUniform(80)));
    auto d = Base58Decode(Base58Encode(bytes));
    REQUIRE(d.ok());
    REQUIRE(*d == bytes);
  }
}

TEST_CASE("encoding: base64 and base64url are strict (RFC 4648)", "[crypto]") {
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(*Base64Decode("Zm8=") == "fo");
  CHECK(*Base64Decode("") == "");
  for (const char* bad : {"Zm8", "Zm9=", "Zm8==", "Z===", "Zm 8=", "Zm-_"}) {
    INFO(bad);
    CHECK(Base64Decode(bad).status().slug() == "encoding.bad-base64");
  }
  CHECK(Base64UrlEncode("\xfb\xff") == "-_8");
  CHECK(*Base64UrlDecode("-_8") == "\xfb\xff");
  CHECK_FALSE(Base64UrlDecode("-_8=").ok());
  CHECK_FALSE(Base64UrlDecode("-_9").ok());  // non-zero trailing bits
  CHECK_FALSE(Base64UrlDecode("+/8").ok());
}

TEST_CASE("encoding: hex and multibase prefixes", "[crypto]") {
  CHECK(HexEncode("\x01\xab") == "01ab");
  CHECK(*HexDecode("01AB") == "\x01\xab");
  CHECK(HexDecode("0").status().slug() == "encoding.bad-hex");
  CHECK(HexDecode("zz").status().slug() == "encoding.bad-hex");
  CHECK(MultibaseEncode(Multibase::kBase58Btc, "a") == "z2g");
  CHECK(MultibaseEncode(Multibase::kBase64Url, "a") == "uYQ");
  CHECK(*MultibaseDecode("z2g") == "a");
  CHECK(*MultibaseDecode("uYQ") == "a");
  CHECK(MultibaseDecode("mYQ==").status().slug() == "encoding.bad-multibase");
  CHECK(MultibaseDecode("").status().slug() == "encoding.bad-multibase");
}

TEST_CASE("encoding: Excerpt cuts between characters and always gives well-formed UTF-8",
          "[crypto]") {
  CHECK(Excerpt("abc", 3) == "abc");
  CHECK(Excerpt("abcd", 3) == "abc...");
  CHECK(Excerpt("", 0) == "");
  // "Жук" is 6 bytes; a cut inside the second letter drops the whole letter.
  CHECK(Excerpt("\xD0\x96\xD1\x83\xD0\xBA", 3) == "\xD0\x96...");
  CHECK(Excerpt("\xD0\x96\xD1\x83\xD0\xBA", 6) == "\xD0\x96\xD1\x83\xD0\xBA");
  CHECK(Excerpt("a\xF0\x9F\x98\x80", 4) == "a...");  // a 4-byte emoji is not split
  CHECK(Excerpt("a\xF0\x9F\x98\x80", 5) == "a\xF0\x9F\x98\x80");
  // Control characters and ill-formed sequences (RFC 3629 section 4) become '?'.
  CHECK(Excerpt("a\nb\x7F", 10) == "a?b?");
  CHECK(Excerpt("\xC0\xAF", 10) == "??");            // overlong '/'
  CHECK(Excerpt("\xED\xA0\x80", 10) == "???");       // a surrogate
  CHECK(Excerpt("\xF4\x90\x80\x80", 10) == "????");  // above U+10FFFF
  CHECK(Excerpt("\xD0", 10) == "?");                 // truncated
  CHECK(Excerpt("\xE2\x82", 10) == "??");
  CHECK(Excerpt("\xFF\xFE", 10) == "??");
  // Whatever the input and the limit, the result is well-formed.
  const std::string samples[] = {"\xD0\x90\xD0\x91\xD0\x92 \xE2\x80\x94 x",
                                 "\xF0\x9F\x98\x80\xD0\x90z\xE2\x82\xAC", "\x80\xBF\xC2\xA9"};
  for (const std::string& s : samples) {
    for (std::size_t max = 0; max <= s.size() + 1; ++max) {
      INFO(max);
      const std::string e = Excerpt(s, max);
      CHECK(ParseJson("\"" + e + "\"").ok());
      const std::string body =
          e.size() >= 3 && e.compare(e.size() - 3, 3, "...") == 0 ? e.substr(0, e.size() - 3) : e;
      CHECK(body.size() <= max);
    }
  }
}

}  // namespace
}  // namespace certledger::crypto
