// crypto/data_integrity.h: eddsa-jcs-2022 Data Integrity proofs.
// Invariants: VerifyProofDetailed on any JSON never crashes, and when it
// accepts, the proof it reports is the document's and the document verifies
// again after a serialize/parse round trip; any JSON object without a proof
// that AddProof signs verifies, and stops verifying when a member is added.
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/data_integrity.h"
#include "crypto/json.h"
#include "crypto/multikey.h"
#include "tests/fuzz/fuzz_registry.h"

using namespace certledger;
using namespace certledger::crypto;

namespace {

const fuzz::FuzzRegistry& Registry() {
  static const fuzz::FuzzRegistry* r = new fuzz::FuzzRegistry;
  return *r;
}

// did:key keys resolve by themselves; the fuzz issuer's key by its id.
Result<std::string> Resolve(const std::string& vm) {
  if (vm == Registry().key().KeyId()) return Registry().key().PublicKey();
  return ResolveDidKey(vm.substr(0, vm.find('#')));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto doc = ParseJson(in);
  if (!doc.ok()) return 0;
  VerifyProofOptions vpo;
  vpo.expected_proof_purpose = std::nullopt;
  vpo.now_unix_ms = fuzz::kNowMs;
  auto v = VerifyProofDetailed(*doc, Resolve, vpo);
  if (v.ok()) {
    // A proof set of one proof is that proof (Open Badges 3.0 credentials).
    const Json& proof = (*doc)["proof"].is_array() ? (*doc)["proof"][0] : (*doc)["proof"];
    CERTLEDGER_FUZZ_CHECK(proof["verificationMethod"] == v->verification_method,
                          "reported verification method is the proof's");
    auto again = ParseJson(doc->dump());
    CERTLEDGER_FUZZ_CHECK(again.ok() && VerifyProof(*again, Resolve, vpo).ok(),
                          "a verified document verifies after dump/parse");
  }
  if (doc->is_object() && !doc->contains("proof")) {
    ProofOptions po;
    po.created = "2026-06-30T09:00:00Z";
    auto signed_doc = AddProof(*doc, po, Registry().key());
    if (signed_doc.ok()) {
      auto ok = VerifyProof(*signed_doc, Resolve, vpo);
      CERTLEDGER_FUZZ_CHECK(ok.ok(), "a document AddProof signed verifies");
      Json tampered = *signed_doc;
      tampered["fuzz:tampered"] = true;
      if (!doc->contains("fuzz:tampered")) {
        auto bad = VerifyProof(tampered, Resolve, vpo);
        CERTLEDGER_FUZZ_CHECK(bad.slug() == kProofBadSignature, "an added member breaks it");
      }
    }
  }
  return 0;
}
