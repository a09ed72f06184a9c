// Tests of verifier/credit_check.cc: the university's credit-transfer policy.
#include "verifier/credit_check.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/test_util.h"
#include "tests/verifier/fixture.h"
#include "verifier/verifier.h"

namespace certledger::verifier {
namespace {

using certledger::testing::ReadFile;
using certledger::testing::SourcePath;
using certledger::testing::TempDir;
using fixture::FakeRegistry;
using fixture::J;
using fixture::T;

Report ValidReport() {
  Report r;
  r.verdict = Verdict::kValid;
  return r;
}

CreditPolicy SamplePolicy() {
  auto j = crypto::ParseJson(ReadFile(SourcePath("samples/policy-university.json")));
  REQUIRE(j.ok());
  auto p = ParsePolicy(*j);
  INFO(p.status().ToString());
  REQUIRE(p.ok());
  return *p;
}

CreditReport Run(const Json& c, const CreditPolicy& p, const Report& v = ValidReport()) {
  auto r = CreditCheck(c, v, p);
  REQUIRE(r.ok());
  INFO(CreditReportToText(*r, Lang::kEn));
  return *r;
}

const Requirement& Req(const CreditReport& r, std::string_view id) {
  for (const Requirement& q : r.requirements) {
    if (q.id == id) return q;
  }
  FAIL("no requirement " << id);
  return r.requirements.front();
}

Json Cert() { return FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 1); }

TEST_CASE("credit: a verified certificate meets the sample university policy", "[verifier]") {
  // End to end: issued, verified offline, then checked.
  FakeRegistry reg;
  Json cert = reg.Sign(Cert());
  TempDir dir;
  reg.WriteBundle(dir.path());
  auto bundle = NewBundleTrustSource(dir.path());
  REQUIRE(bundle.ok());
  auto v = VerifyCredential(cert, std::nullopt, **bundle, T("2026-07-01T00:00:00Z"));
  REQUIRE(v.ok());
  REQUIRE(v->verdict == Verdict::kValid);
  CreditReport r = Run(cert, SamplePolicy(), *v);
  CHECK(r.met);
  CHECK(r.ExitCode() == 0);
  for (const Requirement& q : r.requirements) {
    INFO(q.id << ": " << q.reason.en);
    CHECK(q.status == RequirementStatus::kPassed);
  }
  CHECK(r.grade == 4);  // 87 of 100 in the 70..89 band
  CHECK(r.passed == true);
  CHECK(r.hours == 72);
  CHECK(r.credit_units == 2);
  Json j = CreditReportToJson(r);
  CHECK(j["policyMet"] == true);
  CHECK(j["grade"]["grade"] == 4);
  CHECK(j["grade"]["name"]["ru"] == "хорошо");
  CHECK(j["workload"]["creditUnits"] == 2);
  CHECK(j["verification"]["verdict"] == "valid");
  std::string ru = CreditReportToText(r, Lang::kRu);
  CHECK(ru.find("ЗАЧЁТ ВОЗМОЖЕН") != std::string::npos);
  CHECK(ru.find("2 з.е.") != std::string::npos);
}

TEST_CASE("credit: an identity-verified share of 29 % fails, 30 % passes", "[verifier]") {
  Json c = Cert();
  c["credentialSubject"]["identityVerification"]["share"] = 0.29;
  CreditReport r = Run(c, CreditPolicy{});
  CHECK_FALSE(r.met);
  CHECK(r.ExitCode() == kExitPolicyNotMet);
  CHECK(Req(r, kReqIdentityVerification).status == RequirementStatus::kFailed);
  CHECK(Req(r, kReqIdentityVerification).reason.en.find("29 %") != std::string::npos);
  c["credentialSubject"]["identityVerification"]["share"] = 0.3;
  CHECK(Run(c, CreditPolicy{}).met);
  c["credentialSubject"]["identityVerification"]["method"] = "none";
  CHECK(Req(Run(c, CreditPolicy{}), kReqIdentityVerification).status == RequirementStatus::kFailed);
  c["credentialSubject"].erase("identityVerification");
  CHECK(Req(Run(c, CreditPolicy{}), kReqIdentityVerification).status ==
        RequirementStatus::kMissing);
}

TEST_CASE("credit: missing learning outcomes are reported missing", "[verifier]") {
  Json c = Cert();
  c["credentialSubject"]["achievement"].erase("learningOutcomes");
  CreditReport r = Run(c, SamplePolicy());
  CHECK_FALSE(r.met);
  CHECK(Req(r, kReqOutcomes).status == RequirementStatus::kMissing);
  CHECK(CreditReportToText(r, Lang::kRu).find("ОТСУТСТВУЕТ") != std::string::npos);
  // A policy that does not require outcomes is met.
  CreditPolicy lax = SamplePolicy();
  lax.required_fields = {kReqLearnerIdentity, kReqIssuer, kReqCourse};
  CreditReport r2 = Run(c, lax);
  CHECK(r2.met);
  CHECK_FALSE(Req(r2, kReqOutcomes).required);
}

TEST_CASE("credit: an electronic version on a foreign domain fails", "[verifier]") {
  Json c = Cert();
  c["id"] = "https://certificates.evil.example/v/7KQ2-M9XH-4TPA-ZR3C-5";
  CreditReport r = Run(c, SamplePolicy());
  CHECK_FALSE(r.met);
  CHECK(Req(r, kReqElectronicVersion).status == RequirementStatus::kFailed);
  CHECK(Req(r, kReqElectronicVersion).reason.en.find("foreign domain") != std::string::npos);
  // Unless the university trusts that host.
  CreditPolicy p = SamplePolicy();
  p.trusted_hosts = {"certificates.evil.example"};
  CHECK(Req(Run(c, p), kReqElectronicVersion).status == RequirementStatus::kPassed);
  // Plain http is not an electronic version we accept.
  c["id"] = "http://cert.example.ru/v/7KQ2-M9XH-4TPA-ZR3C-5";
  CHECK(Req(Run(c, SamplePolicy()), kReqElectronicVersion).status == RequirementStatus::kFailed);
  c.erase("id");
  CHECK(Req(Run(c, SamplePolicy()), kReqElectronicVersion).status == RequirementStatus::kMissing);
}

TEST_CASE("credit: points map to the five-point scale at each band boundary", "[verifier]") {
  CreditPolicy tpu = SamplePolicy();  // 90 / 70 / 55 / 0, pass from 55
  struct Case {
    const char* value;
    int grade;
    bool passed;
  };
  for (Case k :
       {Case{"100", 5, true}, Case{"90", 5, true}, Case{"89", 4, true}, Case{"70", 4, true},
        Case{"69", 3, true}, Case{"55", 3, true}, Case{"54", 2, false}, Case{"0", 2, false}}) {
    Json c = Cert();
    c["credentialSubject"]["result"][0]["value"] = k.value;
    CreditReport r = Run(c, tpu);
    INFO("value " << k.value);
    CHECK(r.grade == k.grade);
    CHECK(r.passed == k.passed);
    CHECK(r.met == k.passed);
    CHECK(Req(r, kReqGrade).status ==
          (k.passed ? RequirementStatus::kPassed : RequirementStatus::kFailed));
  }
  // Another university's table (NVSU: 86 / 69 / 51), on a 0..80 point scale.
  auto nvsu = ParsePolicy(J(R"({"gradeScale": {"bands": [
      {"minPercent": 86, "grade": 5}, {"minPercent": 69, "grade": 4},
      {"minPercent": 51, "grade": 3}, {"minPercent": 0, "grade": 2}]}})"));
  REQUIRE(nvsu.ok());
  CHECK(nvsu->pass_percent == 51);
  struct Pct {
    double percent;
    int grade;
  };
  for (Pct k : {Pct{86, 5}, Pct{85.99, 4}, Pct{69, 4}, Pct{68.99, 3}, Pct{51, 3}, Pct{50.99, 2}}) {
    INFO("percent " << k.percent);
    CHECK(MapGrade(k.percent, *nvsu) == k.grade);
  }
  Json c = Cert();
  c["credentialSubject"]["achievement"]["resultDescription"][0]["valueMax"] = "80";
  c["credentialSubject"]["result"][0]["value"] = "55.2";  // 69 % of 80
  CHECK(Run(c, *nvsu).grade == 4);
  c["credentialSubject"]["result"][0]["value"] = "55.1";  // 68.875 %
  CHECK(Run(c, *nvsu).grade == 3);
}

TEST_CASE("credit: workload converts to credit units with the policy's hours and rounding",
          "[verifier]") {
  Json c = Cert();
  c["credentialSubject"]["achievement"]["workloadHours"] = 54;
  CHECK(Run(c, SamplePolicy()).credit_units == 1.5);
  c["credentialSubject"]["achievement"]["workloadHours"] = 108;
  CHECK(Run(c, CreditPolicy{}).credit_units == 3);
  CreditPolicy p;
  p.hours_per_credit_unit = 27;
  CHECK(Run(c, p).credit_units == 4);
  c["credentialSubject"]["achievement"].erase("workloadHours");
  CHECK(Req(Run(c, p), kReqWorkload).status == RequirementStatus::kMissing);
}

TEST_CASE("credit: an unverified certificate never meets the policy", "[verifier]") {
  Report revoked;
  revoked.verdict = Verdict::kRevoked;
  CreditReport r = Run(Cert(), SamplePolicy(), revoked);
  CHECK_FALSE(r.met);
  CHECK(r.ExitCode() == 2);
  CHECK(Req(r, kReqVerified).status == RequirementStatus::kFailed);
  Report unknown;
  unknown.verdict = Verdict::kCouldNotCheck;
  CHECK(Run(Cert(), SamplePolicy(), unknown).ExitCode() == 5);
}

TEST_CASE("credit: missing fields are missing, not passed", "[verifier]") {
  Json c = Cert();
  c.erase("documentType");
  c["credentialSubject"].erase("identifier");
  c["credentialSubject"].erase("activityEndDate");
  c["credentialSubject"].erase("result");
  c["issuer"].erase("name");
  CreditReport r = Run(c, SamplePolicy());
  CHECK_FALSE(r.met);
  for (const char* id :
       {kReqDocumentType, kReqLearnerIdentity, kReqPeriod, kReqAssessment, kReqGrade, kReqIssuer}) {
    INFO(id);
    CHECK(Req(r, id).status == RequirementStatus::kMissing);
  }
  CHECK_FALSE(r.grade.has_value());
  Json other = Cert();
  other["documentType"] = "diploma";
  CHECK(Req(Run(other, SamplePolicy()), kReqDocumentType).status == RequirementStatus::kFailed);
}

TEST_CASE("credit: bad policy files are rejected with the failing field", "[verifier]") {
  auto bad = [](const char* text) {
    auto p = ParsePolicy(J(text));
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().slug() == "policy.invalid");
    return p.status().field();
  };
  CHECK(bad(R"({"minIdentityShare": 0.3})") == "/minIdentityShare");
  CHECK(bad(R"({"minIdentityVerifiedShare": 30})") == "/minIdentityVerifiedShare");
  CHECK(bad(R"({"gradeScale": {"bands": [{"minPercent": 50, "grade": 3}]}})") ==
        "/gradeScale/bands");
  CHECK(bad(R"({"gradeScale": {"bands": [{"minPercent": 0, "grade": 6}]}})") ==
        "/gradeScale/bands/0/grade");
  CHECK(bad(R"({"hoursPerCreditUnit": 0})") == "/hoursPerCreditUnit");
  CHECK(bad(R"({"requiredFields": ["shoeSize"]})") == "/requiredFields");
  CHECK(ParsePolicy(J("{}")).ok());
}

}  // namespace
}  // namespace certledger::verifier
