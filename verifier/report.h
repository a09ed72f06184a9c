// The result of verifying one credential: every check reported separately
// (passed / failed / could not check / not applicable) with a stable slug and
// a reason in Russian and English, and the overall verdict with its
// certverify exit code.
//
// Plain value types; thread-compatible. ReportToJson's field names, the
// CheckId and CheckStatus spellings, the slugs and the exit codes are public
// API (POST /api/v1/verify, certverify --json, scripts): do not rename or
// renumber them.
#ifndef CERTLEDGER_VERIFIER_REPORT_H_
#define CERTLEDGER_VERIFIER_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/json.h"

namespace certledger::verifier {

enum class Lang { kEn, kRu };

// Parses "en" / "ru" (case-insensitive); nullopt otherwise.
std::optional<Lang> ParseLang(std::string_view text);

// A reason in both languages.
struct Text {
  std::string en;
  std::string ru;
  const std::string& In(Lang lang) const { return lang == Lang::kRu ? ru : en; }
};

// The overall verdict. The values are certverify's exit codes (documented in
// docs/verifier.md and `certverify --help`): do not renumber.
enum class Verdict {
  kValid = 0,            // every applicable check passed
  kInvalid = 1,          // bad signature, tampered, unknown/unauthorized key,
                         // malformed, forged receipt, inconsistent ledger
  kRevoked = 2,          // revoked or suspended in the issuer's status list
  kExpired = 3,          // outside validFrom..validUntil (vouchers: after year end)
  kIssuerSuspended = 4,  // the issuer's registry status is "suspended"
  kCouldNotCheck = 5,    // something could not be checked and nothing failed
};
// The exit codes certverify uses besides the verdicts.
inline constexpr int kExitPolicyNotMet = 6;
inline constexpr int kExitUsage = 64;

std::string_view VerdictName(Verdict verdict);  // "valid", "invalid", ...
Text VerdictText(Verdict verdict);

// The checks, in report order. Do not rename (JSON "id").
enum class CheckId {
  kStructure,    // "structure": VC 2.0 / OB 3.0 contexts, types, required fields
  kProof,        // "proof": the eddsa-jcs-2022 signature
  kKey,          // "key": the key is the issuer's assertion method, not revoked at signing
  kIssuer,       // "issuer": the issuer is known and not suspended
  kValidity,     // "validity": validFrom / validUntil against now
  kStatus,       // "status": Bitstring Status List revocation / suspension
  kReceipt,      // "receipt": ledger receipt (inclusion in a signed checkpoint)
  kConsistency,  // "consistency": the receipt's checkpoint vs the newest known
};
std::string_view CheckIdName(CheckId id);
Text CheckIdText(CheckId id);

enum class CheckStatus {
  kPassed,         // "passed"
  kFailed,         // "failed"
  kCouldNotCheck,  // "could-not-check": never counted as passed
  kNotApplicable,  // "not-applicable": e.g. no credentialStatus, no receipt given
};
std::string_view CheckStatusName(CheckStatus status);

struct Check {
  CheckId id = CheckId::kStructure;
  CheckStatus status = CheckStatus::kCouldNotCheck;
  // Stable machine-readable reason, e.g. "proof.bad-signature",
  // "status.revoked", "issuer.suspended", "trust.unavailable".
  std::string slug;
  Text reason;
  // When status == kFailed: the verdict this failure leads to.
  Verdict failure = Verdict::kInvalid;
};

struct Report {
  Verdict verdict = Verdict::kCouldNotCheck;
  std::vector<Check> checks;
  // What was verified (empty when unknown).
  std::string credential_id;
  std::string issuer;
  std::vector<std::string> types;
  std::string verification_method;  // the proof's key
  std::string proof_created;        // RFC 3339, as written
  std::optional<int64_t> ledger_index;
  std::optional<int64_t> checkpoint_size;         // the receipt's checkpoint
  std::optional<int64_t> newest_checkpoint_size;  // the newest one known
  int64_t checked_at_ms = 0;                      // "now" used for the checks

  // The check `id`, or nullptr.
  const Check* Find(CheckId id) const;
  int ExitCode() const { return static_cast<int>(verdict); }
};

// The verdict of a list of checks: any failure wins, in the order kInvalid,
// kRevoked, kIssuerSuspended, kExpired; otherwise any could-not-check gives
// kCouldNotCheck; otherwise kValid (not-applicable checks do not count).
Verdict ComputeVerdict(const std::vector<Check>& checks);

// {"verdict": "valid", "exitCode": 0, "verdictText": {"en","ru"},
//  "credential": {"id", "issuer", "type": [...]}, "checkedAt": "<RFC 3339>",
//  "checks": [{"id", "status", "slug", "reason": {"en", "ru"}}...],
//  "proof": {"verificationMethod", "created"},
//  "ledger": {"index", "checkpointSize", "newestCheckpointSize"}}
Json ReportToJson(const Report& report);

// A human-readable, multi-line report in `lang`.
std::string ReportToText(const Report& report, Lang lang);

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_REPORT_H_
