// The university's credit-transfer check ("зачёт результатов обучения"): a
// policy applied to a verified completion certificate, requirement by
// requirement, with the points mapped to the five-point scale and the
// workload converted to credit units (зачётные единицы).
//
// Modelled on a real regulation (RGPPU order No. 684-1 of 30.09.2022,
// "Порядок зачета результатов освоения открытых онлайн-курсов", sections 4.2,
// 4.8, 5.1, 5.2.1, 5.4, 6.2): identity-verified share of the final grade at
// least 30 %, the learner identifiable, an electronic version on the issuer's
// or platform's domain, learning outcomes, workload and assessment listed.
// There is no national points-to-grade table; each university supplies its
// own bands (../shared/data/grading_scales.json has examples).
//
// The policy file format is documented in docs/verifier.md; a sample is
// samples/policy-university.json. Requirement ids and JSON field names are
// public API (POST /api/v1/credit-check, certverify --json): do not rename.
// Pure functions; thread-safe.
#ifndef CERTLEDGER_VERIFIER_CREDIT_CHECK_H_
#define CERTLEDGER_VERIFIER_CREDIT_CHECK_H_

#include <optional>
#include <string>
#include <vector>

#include "crypto/json.h"
#include "crypto/status.h"
#include "verifier/learner_identity.h"
#include "verifier/report.h"

namespace certledger::verifier {

struct GradeBand {
  double min_percent = 0;  // the band starts at this percent of the maximum
  int grade = 2;           // 5, 4, 3 or 2
};

// Requirement ids (do not rename).
inline constexpr char kReqVerified[] = "verified";
inline constexpr char kReqDocumentType[] = "documentType";
inline constexpr char kReqIdentityVerification[] = "identityVerification";
inline constexpr char kReqLearnerIdentity[] = "learnerIdentity";
inline constexpr char kReqIssuer[] = "issuer";
inline constexpr char kReqCourse[] = "course";
inline constexpr char kReqPeriod[] = "period";
inline constexpr char kReqWorkload[] = "workload";
inline constexpr char kReqOutcomes[] = "outcomes";
inline constexpr char kReqAssessment[] = "assessment";
inline constexpr char kReqGrade[] = "grade";
inline constexpr char kReqElectronicVersion[] = "electronicVersion";

struct CreditPolicy {
  Text name;
  // Identity-verified share of the final grade, 0..1 (regulation 5.2.1).
  double min_identity_share = 0.30;
  // Accepted identity-verification technologies (regulation 5.2.1).
  std::vector<std::string> accepted_identity_methods = {"online-proctoring", "certified-centre",
                                                        "keystroke-dynamics", "biometrics"};
  // Accepted documentType codes; empty accepts any.
  std::vector<std::string> accepted_document_types = {"qualification-upgrade",
                                                      "professional-retraining", "certificate"};
  // Bands by descending min_percent; the last starts at 0.
  std::vector<GradeBand> bands = {{90, 5}, {70, 4}, {55, 3}, {0, 2}};
  // "зачтено" from this percent of the maximum.
  double pass_percent = 55;
  double hours_per_credit_unit = 36;
  // Credit units are rounded to the nearest multiple of this.
  double credit_unit_rounding = 0.01;
  // Which requirements must pass (verified, documentType,
  // identityVerification and grade always must).
  std::vector<std::string> required_fields = {
      kReqLearnerIdentity, kReqIssuer,   kReqCourse,     kReqPeriod,
      kReqWorkload,        kReqOutcomes, kReqAssessment, kReqElectronicVersion};
  // Hosts besides the issuer's registry (did:web host) accepted for the
  // electronic version ("host" or "host:port").
  std::vector<std::string> trusted_hosts;
};

// Parses a policy file (docs/verifier.md). Omitted fields keep the defaults
// above. kInvalidArgument "policy.invalid" (field() names the member) for an
// unknown member, a wrong type, a share outside 0..1, bands that are empty,
// not 2..5, out of 0..100, duplicated or without a band starting at 0, a
// non-positive hours per unit or rounding, or an unknown requirement id.
Result<CreditPolicy> ParsePolicy(const Json& policy);

enum class RequirementStatus { kPassed, kFailed, kMissing };
std::string_view RequirementStatusName(RequirementStatus s);  // "passed", "failed", "missing"

struct Requirement {
  std::string id;
  RequirementStatus status = RequirementStatus::kMissing;
  bool required = true;
  Text reason;
};

struct CreditReport {
  bool met = false;  // every required requirement passed
  Report verification;
  std::vector<Requirement> requirements;
  // The assessment: points (as written), the scale, the percent of the
  // maximum, the mapped grade and pass/fail. Unset when there is no score.
  std::string points;
  std::string points_max;
  std::optional<double> percent;
  std::optional<int> grade;
  std::optional<bool> passed;
  // Workload in academic hours and credit units.
  std::optional<double> hours;
  std::optional<double> credit_units;

  // The verification's exit code unless it is valid; then 6 (policy not
  // met) or 0.
  int ExitCode() const;
};

// Applies `policy` to `credential`, whose verification `verification`
// produced. The credential must have passed verification for the policy to
// be met ("verified"); the other requirements are evaluated regardless, for
// the report. Never fails for bad input (that is a requirement's status);
// the Result is for interface symmetry with Verify.
//
// "learnerIdentity": without `claim`, passed when the learner is named in
// plain text. With `claim` (the learner's SNILS and identity check code,
// REQUIRES ValidateLearnerClaim OK), it is CheckLearnerIdentity's answer:
// passed on a match, failed on a mismatch, missing when the credential has
// no hashed identifier. The claim's values never appear in the report.
Result<CreditReport> CreditCheck(const Json& credential, const Report& verification,
                                 const CreditPolicy& policy, const LearnerClaim* claim = nullptr);

// The grade band of `percent` (descending bands); 2 if none matches.
int MapGrade(double percent, const CreditPolicy& policy);
Text GradeName(int grade);

// {"policyMet": bool, "exitCode", "grade": {"points", "max", "percent",
//  "grade", "name": {"en","ru"}, "passFail": "passed"|"failed"},
//  "workload": {"hours", "creditUnits"}, "requirements": [{"id", "status",
//  "required", "reason": {"en","ru"}}], "verification": ReportToJson(...)}
Json CreditReportToJson(const CreditReport& report);
std::string CreditReportToText(const CreditReport& report, Lang lang);

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_CREDIT_CHECK_H_
