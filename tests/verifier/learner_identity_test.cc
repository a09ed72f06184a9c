// Tests of verifier/learner_identity.cc and its use in the credit check and
// certverify (--learner-id, --identity-code): a university checks, with the
// SNILS and the identity check code the learner gave it, that a certificate
// is that learner's. The certificate carries the hash only, not the code.
#include "verifier/learner_identity.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/receipt.h"
#include "registry/registry.h"
#include "render/fonts.h"
#include "render/pdf.h"
#include "tests/registry/certificate_fixture.h"
#include "tests/test_util.h"
#include "tests/verifier/fixture.h"
#include "verifier/cli.h"
#include "verifier/credit_check.h"
#include "verifier/pdf.h"
#include "verifier/report.h"
#include "verifier/verifier.h"

namespace certledger::verifier {
namespace {

using certledger::testing::SourcePath;
using certledger::testing::TempDir;
using certledger::testing::WriteFile;
using fixture::FakeRegistry;

// A code as the registry makes one (32 hex digits) and its grouped form.
constexpr char kCode[] = "3f9a0c1be24d5a6f7081923a4b5c6d7e";
constexpr char kCodeShown[] = "3f9a-0c1b-e24d-5a6f-7081-923a-4b5c-6d7e";
constexpr char kSnils[] = "112-233-445 95";
constexpr char kSnilsDigits[] = "11223344595";

// sha256$hex(SHA-256(code || SNILS digits)), computed here independently.
std::string Hash(const std::string& code, const std::string& snils_digits) {
  return "sha256$" + crypto::HexEncode(crypto::AsStringView(crypto::Sha256(code + snils_digits)));
}

// The fixture's certificate with the identifier as the registry now writes
// it: the hash of kCode and kSnils, no salt.
Json CertWithHash(const std::string& code = kCode) {
  Json c = FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 3);
  Json& id = c["credentialSubject"]["identifier"][1];
  id["identityHash"] = Hash(code, kSnilsDigits);
  id.erase("salt");
  return c;
}

int IdentityRunCli(std::vector<std::string> args) {
  args.insert(args.begin(), "certverify");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return Main(static_cast<int>(argv.size()), argv.data());
}

Report IdentityValidReport() {
  Report r;
  r.verdict = Verdict::kValid;
  return r;
}

const Requirement& LearnerReq(const CreditReport& r) {
  for (const Requirement& q : r.requirements) {
    if (q.id == kReqLearnerIdentity) return q;
  }
  FAIL("no learnerIdentity requirement");
  return r.requirements.front();
}

TEST_CASE("identity: the SNILS with the right code matches, a wrong code or SNILS does not",
          "[verifier]") {
  const Json c = CertWithHash();
  auto check = [&c](const std::string& id, const std::string& code) {
    LearnerClaim claim{id, code};
    REQUIRE(ValidateLearnerClaim(claim).ok());
    return CheckLearnerIdentity(c, claim).result;
  };
  CHECK(check(kSnils, kCode) == IdentityResult::kMatches);
  // Separators in the SNILS, grouping and case in the code do not matter.
  CHECK(check(kSnilsDigits, kCodeShown) == IdentityResult::kMatches);
  CHECK(check("112 233 445 95", "3F9A 0C1B E24D 5A6F 7081 923A 4B5C 6D7E") ==
        IdentityResult::kMatches);
  // Wrong code (one digit), wrong SNILS (another valid one), someone else's.
  CHECK(check(kSnils, "3f9a0c1be24d5a6f7081923a4b5c6d7f") == IdentityResult::kDoesNotMatch);
  CHECK(check("010-242-368 77", kCode) == IdentityResult::kDoesNotMatch);
  // Without a code nobody can test a SNILS: the credential has no salt.
  CHECK(c.dump().find(kCode) == std::string::npos);
  CHECK_FALSE(c["credentialSubject"]["identifier"][1].contains("salt"));
  // Nothing to check against.
  Json no_hash = c;
  no_hash["credentialSubject"]["identifier"].erase(1);
  IdentityCheck nh = CheckLearnerIdentity(no_hash, {kSnils, kCode});
  CHECK(nh.result == IdentityResult::kNoHash);
  CHECK(nh.slug == "identity.no-hash");
  // The reasons name neither the SNILS nor the code.
  for (const Json& cred : {c, no_hash}) {
    for (const char* code : {kCode, "00000000000000000000000000000000"}) {
      IdentityCheck ic = CheckLearnerIdentity(cred, {kSnils, code});
      for (const std::string& text : {ic.reason.en, ic.reason.ru, IdentityCheckToJson(ic).dump(),
                                      IdentityCheckToText(ic, Lang::kRu)}) {
        CHECK(text.find(kSnilsDigits) == std::string::npos);
        CHECK(text.find("445") == std::string::npos);
        CHECK(text.find(kCode) == std::string::npos);
      }
    }
  }
  // Bad claims are refused before any hashing, naming the field only.
  CHECK(ValidateLearnerClaim({"", kCode}).field() == "learner_id");
  CHECK(ValidateLearnerClaim({kSnils, "not-a-code"}).field() == "identity_code");
  CHECK(ValidateLearnerClaim({kSnils, ""}).field() == "identity_code");
}

TEST_CASE("identity: a credential issued with the salt inside still verifies and checks",
          "[verifier]") {
  // The fixture's certificate carries "salt" (issued before the salt was
  // withheld): the signature covers it and must still verify.
  FakeRegistry reg;
  Json legacy = FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 4);
  REQUIRE(legacy["credentialSubject"]["identifier"][1]["salt"] == "d1c5e3");
  // Such a credential's code is its salt; its identifier was hashed as typed.
  legacy["credentialSubject"]["identifier"][1]["identityHash"] = Hash("d1c5e3", kSnils);
  Json signed_legacy = reg.Sign(legacy);
  TempDir dir;
  reg.WriteBundle(dir.path());
  auto bundle = NewBundleTrustSource(dir.path());
  REQUIRE(bundle.ok());
  auto v =
      VerifyCredential(signed_legacy, std::nullopt, **bundle, fixture::T("2026-07-01T00:00:00Z"));
  REQUIRE(v.ok());
  CHECK(v->verdict == Verdict::kValid);
  CHECK(CheckLearnerIdentity(signed_legacy, {kSnils, "d1c5e3"}).result == IdentityResult::kMatches);
  CHECK(CheckLearnerIdentity(signed_legacy, {kSnils, kCode}).result ==
        IdentityResult::kDoesNotMatch);
}

TEST_CASE("credit: learnerIdentity checks the hash when the SNILS and code are given",
          "[verifier]") {
  const Json c = CertWithHash();
  const CreditPolicy policy;
  auto run = [&](const LearnerClaim* claim) {
    auto r = CreditCheck(c, IdentityValidReport(), policy, claim);
    REQUIRE(r.ok());
    return *r;
  };
  // No claim: as before, the learner named in plain text passes.
  CreditReport plain = run(nullptr);
  CHECK(LearnerReq(plain).status == RequirementStatus::kPassed);
  CHECK(plain.met);
  // A matching claim passes, naming the learner.
  LearnerClaim good{kSnils, kCodeShown};
  CreditReport ok = run(&good);
  CHECK(LearnerReq(ok).status == RequirementStatus::kPassed);
  CHECK(LearnerReq(ok).reason.ru.find("Иванова Мария Сергеевна") != std::string::npos);
  CHECK(ok.met);
  CHECK(ok.ExitCode() == 0);
  // A wrong code or a wrong SNILS fails it, and the policy with it.
  for (const LearnerClaim& bad : {LearnerClaim{kSnils, "ffff-0c1b-e24d-5a6f-7081-923a-4b5c-6d7e"},
                                  LearnerClaim{"123-456-789 64", kCode}}) {
    CreditReport r = run(&bad);
    CHECK(LearnerReq(r).status == RequirementStatus::kFailed);
    CHECK_FALSE(r.met);
    CHECK(r.ExitCode() == kExitPolicyNotMet);
    const std::string json = CreditReportToJson(r).dump();
    CHECK(json.find(kCode) == std::string::npos);
    CHECK(json.find("123456789") == std::string::npos);
    CHECK(json.find("123-456-789") == std::string::npos);
  }
  // No hashed identifier to check: missing.
  Json no_hash = c;
  no_hash["credentialSubject"]["identifier"].erase(1);
  auto r = CreditCheck(no_hash, IdentityValidReport(), policy, &good);
  REQUIRE(r.ok());
  CHECK(LearnerReq(*r).status == RequirementStatus::kMissing);
  CHECK_FALSE(r->met);
}

TEST_CASE("certverify: --learner-id with --identity-code: 0 on a match, 7 or 6 when not",
          "[verifier]") {
  FakeRegistry reg;
  Json cert = reg.Sign(CertWithHash());
  TempDir dir;
  reg.WriteBundle(dir.path() / "trust");
  const std::string trust = (dir.path() / "trust").string();
  const std::string json = (dir.path() / "cert.json").string();
  WriteFile(json, cert.dump(2));
  const std::string at = "2026-07-01T00:00:00Z";
  auto run = [&](const std::string& snils, const std::string& code,
                 std::vector<std::string> more = {}) {
    std::vector<std::string> args = {json,  "--trust",         trust, "--at", at, "--learner-id",
                                     snils, "--identity-code", code};
    args.insert(args.end(), more.begin(), more.end());
    return IdentityRunCli(args);
  };
  CHECK(IdentityRunCli({json, "--trust", trust, "--at", at}) == 0);
  CHECK(run(kSnils, kCodeShown) == 0);
  CHECK(run(kSnilsDigits, kCode, {"--json"}) == 0);
  CHECK(run(kSnils, "3f9a-0c1b-e24d-5a6f-7081-923a-4b5c-6d7f") == kExitIdentityNotConfirmed);
  CHECK(run("010-242-368 77", kCodeShown, {"--lang", "ru"}) == kExitIdentityNotConfirmed);
  // With a policy, learnerIdentity decides: met, or not met (6).
  const std::string policy = SourcePath("samples/policy-university.json").string();
  CHECK(run(kSnils, kCodeShown, {"--policy", policy}) == 0);
  CHECK(run(kSnils, "0000-0c1b-e24d-5a6f-7081-923a-4b5c-6d7e", {"--policy", policy}) ==
        kExitPolicyNotMet);
  CHECK(run("010-242-368 77", kCodeShown, {"--policy", policy, "--json"}) == kExitPolicyNotMet);
  // An invalid credential proves nothing about anyone: its own exit code.
  Json tampered = cert;
  tampered["credentialSubject"]["result"][0]["value"] = "97";
  WriteFile(json, tampered.dump(2));
  CHECK(run(kSnils, kCodeShown) == 1);
  // The pair goes together; a code is hex digits.
  WriteFile(json, cert.dump(2));
  CHECK(IdentityRunCli({json, "--trust", trust, "--at", at, "--learner-id", kSnils}) == kExitUsage);
  CHECK(IdentityRunCli({json, "--trust", trust, "--at", at, "--identity-code", kCode}) ==
        kExitUsage);
  CHECK(run(kSnils, "zzzz-0c1b") == kExitUsage);
}

TEST_CASE("identity: a registry certificate's PDF attachments carry the hash, never the code",
          "[verifier][privacy]") {
  registry::fixture::CertificateEnv env;
  registry::CertificateInput in;
  in.issuer = "demo";
  in.programme = "DA-101";
  in.learner_name = "Иванова Мария Сергеевна";
  in.learner_id = kSnils;
  in.period_start = "2026-03-01";
  in.period_end = "2026-06-28";
  in.points = 87;
  in.identity_share = 0.4;
  in.identity_method = "online-proctoring";
  auto draft = env.reg->CreateDraft(in);
  REQUIRE(draft.ok());
  REQUIRE(env.reg->ConfirmName(draft->code).ok());
  auto rec = env.reg->Issue(draft->code);
  REQUIRE(rec.ok());
  REQUIRE(env.reg->ledger().IntegrateNow().ok());
  auto receipt = env.reg->CertificateReceipt(rec->code);
  REQUIRE(receipt.ok());
  auto fonts = render::FontSet::LoadDefault();
  if (!fonts.ok()) {
    WARN("no fonts, no PDF: " << fonts.status().ToString());
    return;
  }
  render::PdfOptions po;
  po.fonts = *fonts;
  // As `certledger issue-batch` and GET /v/<code>/certificate.pdf make it.
  auto credential = crypto::ParseJson(rec->credential);
  REQUIRE(credential.ok());
  auto pdf = render::RenderCertificatePdf(
      rec->view, {credential->dump(2), crypto::ReceiptToJson(*receipt).dump(2)}, po);
  REQUIRE(pdf.ok());
  auto att = ExtractPdfAttachments(*pdf);
  REQUIRE(att.ok());
  REQUIRE(att->receipt.has_value());
  const std::string& code = rec->identity_code;
  REQUIRE(code.size() == 39);
  std::string hex;
  for (char ch : code) {
    if (ch != '-') hex += ch;
  }
  for (const std::string* text : {&att->credential, &*att->receipt, &*pdf}) {
    CHECK(text->find(hex) == std::string::npos);
    CHECK(text->find(code) == std::string::npos);
  }
  CHECK(att->credential.find("\"salt\"") == std::string::npos);
  // What the university does with the PDF: the code from the learner matches.
  auto cred = crypto::ParseJson(att->credential);
  REQUIRE(cred.ok());
  CHECK(CheckLearnerIdentity(*cred, {kSnilsDigits, code}).result == IdentityResult::kMatches);
  CHECK(CheckLearnerIdentity(*cred, {kSnilsDigits, kCode}).result == IdentityResult::kDoesNotMatch);
  CHECK((*cred)["credentialSubject"]["identifier"][1]["identityHash"] == Hash(hex, kSnilsDigits));
}

}  // namespace
}  // namespace certledger::verifier
