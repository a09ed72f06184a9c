// The learner identity check: does a person's SNILS (or other learner
// identifier), with the identity check code they received from the
// provider, match the certificate's hashed identifier (an Open Badges 3.0
// IdentityObject with hashed: true; crypto/learner_identity.h,
// docs/verifier.md "Learner identity")? The certificate itself never
// carries the code, so without it nobody can tell whose SNILS it holds.
//
// The identifier and the code are personal data: nothing here prints,
// logs or returns them. Pure functions; thread-safe.
#ifndef CERTLEDGER_VERIFIER_LEARNER_IDENTITY_H_
#define CERTLEDGER_VERIFIER_LEARNER_IDENTITY_H_

#include <string>
#include <string_view>

#include "crypto/json.h"
#include "crypto/status.h"
#include "verifier/report.h"

namespace certledger::verifier {

// certverify's exit code when the credential is valid but the learner's
// identity is not confirmed (--learner-id with --identity-code: no match,
// or no hashed identifier to check). Public API: do not renumber.
inline constexpr int kExitIdentityNotConfirmed = 7;

// What the relying party was given by the learner, as typed.
struct LearnerClaim {
  std::string learner_id;     // e.g. SNILS "112-233-445 95" (separators optional)
  std::string identity_code;  // "1f0c-9a7e-..." (case, spaces and hyphens ignored)
};

// kInvalidArgument "identity.invalid" (field "learner_id" or
// "identity_code") for an empty identifier or a code that is not hex
// digits (crypto::ParseIdentityCode). The message names no value.
Status ValidateLearnerClaim(const LearnerClaim& claim);

enum class IdentityResult {
  kMatches,       // "passed": a hashed identifier matches
  kDoesNotMatch,  // "failed": wrong identifier, wrong code, or someone else's certificate
  kNoHash,        // "missing": the credential has no sha256 hashed identifier
};

struct IdentityCheck {
  IdentityResult result = IdentityResult::kNoHash;
  std::string slug;  // "identity.match", "identity.mismatch", "identity.no-hash"
  Text reason;
};

// Checks `claim` against every IdentityObject of credentialSubject.identifier
// with hashed: true and identityHash "sha256$...". REQUIRES:
// ValidateLearnerClaim(claim) is OK (otherwise: kDoesNotMatch). A credential
// that still carries "salt" is checked with the code given, like any other
// (for such a credential the code is that salt).
IdentityCheck CheckLearnerIdentity(const Json& credential, const LearnerClaim& claim);

std::string_view IdentityResultName(IdentityResult r);  // "passed", "failed", "missing"

// {"status": "passed"|"failed"|"missing", "slug", "reason": {"en","ru"}}
Json IdentityCheckToJson(const IdentityCheck& check);
// One line: "Learner identity: ..." / "Личность обучающегося: ...".
std::string IdentityCheckToText(const IdentityCheck& check, Lang lang);

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_LEARNER_IDENTITY_H_
