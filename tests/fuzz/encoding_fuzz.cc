// crypto/encoding.h: hex, base64, base64url, base58btc and multibase.
// Invariants: decode(encode(x)) == x for every encoder; the decoders are
// strict, so whatever they accept is the canonical encoding of what they
// return (encode(decode(s)) == s; hex compared case-insensitively).
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/encoding.h"
#include "tests/fuzz/fuzz_registry.h"

using namespace certledger;
using namespace certledger::crypto;

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

constexpr std::size_t kBase58MaxBytes = 80;
constexpr std::size_t kBase58MaxChars = 128;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Encoders round-trip any bytes. Base58 is quadratic (and every step of it
  // is a traced comparison under the fuzzer's instrumentation): round trips of
  // up to 256 bytes took over half of the run time (~400 exec/s). Multikeys are
  // 34 bytes and signatures 64 (88 characters), so 80 bytes / 128 characters
  // cover every size the code base encodes, at a tenth of the cost.
  {
    auto h = HexDecode(HexEncode(in));
    CERTLEDGER_FUZZ_CHECK(h.ok() && *h == in, "hex round trip");
    auto b = Base64Decode(Base64Encode(in));
    CERTLEDGER_FUZZ_CHECK(b.ok() && *b == in, "base64 round trip");
    auto u = Base64UrlDecode(Base64UrlEncode(in));
    CERTLEDGER_FUZZ_CHECK(u.ok() && *u == in, "base64url round trip");
    auto mu = MultibaseDecode(MultibaseEncode(Multibase::kBase64Url, in));
    CERTLEDGER_FUZZ_CHECK(mu.ok() && *mu == in, "multibase u round trip");
    if (size <= kBase58MaxBytes) {
      auto z = Base58Decode(Base58Encode(in));
      CERTLEDGER_FUZZ_CHECK(z.ok() && *z == in, "base58 round trip");
      auto mz = MultibaseDecode(MultibaseEncode(Multibase::kBase58Btc, in));
      CERTLEDGER_FUZZ_CHECK(mz.ok() && *mz == in, "multibase z round trip");
    }
  }
  // Strict decoders accept only canonical text.
  if (auto h = HexDecode(in); h.ok()) {
    CERTLEDGER_FUZZ_CHECK(HexEncode(*h) == Lower(std::string(in)), "hex decode is canonical");
  }
  if (auto b = Base64Decode(in); b.ok()) {
    CERTLEDGER_FUZZ_CHECK(Base64Encode(*b) == in, "base64 decode is canonical");
  }
  if (auto u = Base64UrlDecode(in); u.ok()) {
    CERTLEDGER_FUZZ_CHECK(Base64UrlEncode(*u) == in, "base64url decode is canonical");
  }
  if (size <= kBase58MaxChars) {
    if (auto z = Base58Decode(in); z.ok()) {
      CERTLEDGER_FUZZ_CHECK(Base58Encode(*z) == in, "base58 decode is canonical");
    }
  }
  if (size <= kBase58MaxChars || in[0] != 'z') {
    if (auto m = MultibaseDecode(in); m.ok()) {
      Multibase base = in[0] == 'z' ? Multibase::kBase58Btc : Multibase::kBase64Url;
      CERTLEDGER_FUZZ_CHECK(!in.empty() && (in[0] == 'z' || in[0] == 'u'),
                            "multibase prefix is z or u");
      CERTLEDGER_FUZZ_CHECK(MultibaseEncode(base, *m) == in, "multibase decode is canonical");
    }
  }
  return 0;
}
