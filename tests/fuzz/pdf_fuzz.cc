// verifier/pdf.h: the credential and receipt attachments of a certificate
// PDF, read with qpdf. Invariants: never throws or crashes on any bytes, an
// extracted attachment is never larger than the limit, and extraction is
// deterministic. libFuzzer's -rss_limit_mb catches decompression bombs.
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_registry.h"
#include "verifier/pdf.h"

using namespace certledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMax = 1u << 20;
  auto a = verifier::ExtractPdfAttachments(in, kMax);
  if (!a.ok()) return 0;
  CERTLEDGER_FUZZ_CHECK(a->credential.size() <= kMax, "credential within the limit");
  CERTLEDGER_FUZZ_CHECK(!a->receipt || a->receipt->size() <= kMax, "receipt within the limit");
  auto b = verifier::ExtractPdfAttachments(in, kMax);
  CERTLEDGER_FUZZ_CHECK(b.ok() && b->credential == a->credential && b->receipt == a->receipt,
                        "extraction is deterministic");
  return 0;
}
