// verifier/verifier.h: the whole verification of a credential and its
// receipt (VerifyCredential) against a fixed in-memory trust source
// (tests/fuzz/fuzz_registry.h). Input: the credential JSON, optionally a NUL
// byte and the receipt JSON.
// Invariants: Verify never fails (every problem is a check); the report has
// every check once, in order; the verdict is ComputeVerdict of the checks and
// "valid" only when every check passed or did not apply; the report renders
// as JSON (valid UTF-8: dump() throws otherwise) and as text in both
// languages.
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/json.h"
#include "tests/fuzz/fuzz_registry.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

using namespace certledger;
using namespace certledger::verifier;

namespace {

fuzz::FuzzTrustSource& Trust() {
  static fuzz::FuzzTrustSource* trust = [] {
    auto* r = new fuzz::FuzzRegistry;
    (void)fuzz::MakeSignedSeeds(r);  // logs the seed credentials: same checkpoint
    return new fuzz::FuzzTrustSource(r);
  }();
  return *trust;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::size_t nul = in.find('\0');
  auto credential = crypto::ParseJson(in.substr(0, nul));
  if (!credential.ok()) return 0;
  std::optional<Json> receipt;
  if (nul != std::string_view::npos) {
    auto r = crypto::ParseJson(in.substr(nul + 1));
    if (!r.ok()) return 0;
    receipt = *r;
  }
  auto report = VerifyCredential(*credential, receipt, Trust(), fuzz::kNowMs);
  CERTLEDGER_FUZZ_CHECK(report.ok(), "VerifyCredential reports every problem as a check");
  CERTLEDGER_FUZZ_CHECK(report->verdict == ComputeVerdict(report->checks),
                        "the verdict is computed from the checks");
  if (credential->is_object()) {
    CERTLEDGER_FUZZ_CHECK(report->checks.size() == 8, "all eight checks are reported");
    for (std::size_t i = 0; i < report->checks.size(); ++i) {
      CERTLEDGER_FUZZ_CHECK(report->checks[i].id == static_cast<CheckId>(i), "checks in order");
    }
  }
  if (report->verdict == Verdict::kValid) {
    for (const Check& c : report->checks) {
      CERTLEDGER_FUZZ_CHECK(
          c.status == CheckStatus::kPassed || c.status == CheckStatus::kNotApplicable,
          "valid means every check passed or did not apply");
    }
    const Check* proof = report->Find(CheckId::kProof);
    CERTLEDGER_FUZZ_CHECK(proof && proof->status == CheckStatus::kPassed, "valid needs a proof");
  }
  try {
    std::string json = ReportToJson(*report).dump();
    CERTLEDGER_FUZZ_CHECK(crypto::ParseJson(json).ok(), "the JSON report parses strictly");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ReportToJson(...).dump() threw: %s\n", e.what());
    std::abort();
  }
  (void)ReportToText(*report, Lang::kEn);
  (void)ReportToText(*report, Lang::kRu);
  return 0;
}
