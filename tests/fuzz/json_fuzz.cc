// crypto/json.h: strict parsing and RFC 8785 canonicalization.
// Invariants: whatever ParseJson accepts canonicalizes; the canonical form
// parses and is a fixed point (canonical(parse(canonical(x))) ==
// canonical(x)); parsing is deterministic across a dump/parse round trip;
// FormatEcmaNumber is the shortest text that reads back as the same double
// (RFC 8785 section 3.2.2.3).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "crypto/json.h"
#include "tests/fuzz/fuzz_registry.h"

using namespace certledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size >= sizeof(double)) {
    double d;
    std::memcpy(&d, data, sizeof d);
    if (std::isfinite(d)) {
      std::string s = crypto::FormatEcmaNumber(d);
      double back = std::strtod(s.c_str(), nullptr);
      CERTLEDGER_FUZZ_CHECK(back == d, "FormatEcmaNumber reads back as the same double");
      auto parsed = crypto::ParseJson(s);
      CERTLEDGER_FUZZ_CHECK(parsed.ok(), "FormatEcmaNumber output is JSON");
      auto canon = crypto::Canonicalize(*parsed);
      CERTLEDGER_FUZZ_CHECK(canon.ok() && *canon == s, "a formatted number is canonical");
    }
  }
  auto parsed = crypto::ParseJson(text);
  if (!parsed.ok()) return 0;
  auto canon = crypto::Canonicalize(*parsed);
  CERTLEDGER_FUZZ_CHECK(canon.ok(), "everything ParseJson accepts canonicalizes");
  auto reparsed = crypto::ParseJson(*canon);
  CERTLEDGER_FUZZ_CHECK(reparsed.ok(), "the canonical form parses");
  auto canon2 = crypto::Canonicalize(*reparsed);
  CERTLEDGER_FUZZ_CHECK(canon2.ok() && *canon2 == *canon, "canonical form is a fixed point");
  // nlohmann's own serialization of the parsed value parses to the same
  // canonical form (ParseJson and the DOM agree).
  auto via_dump = crypto::ParseJson(parsed->dump());
  CERTLEDGER_FUZZ_CHECK(via_dump.ok(), "dump() of a parsed value parses");
  auto canon3 = crypto::Canonicalize(*via_dump);
  CERTLEDGER_FUZZ_CHECK(canon3.ok() && *canon3 == *canon, "dump/parse keeps the canonical form");
  return 0;
}
