// Tests of verifier/verifier.cc (and the trust sources it reads through):
// the independent W3C/Digital Bazaar vectors, and credentials issued here
// by a registry built in memory exactly as docs/formats.md describes.
#include "verifier/verifier.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/test_util.h"
#include "tests/verifier/fixture.h"
#include "verifier/report.h"
#include "verifier/trust_source.h"

namespace certledger::verifier {
namespace {

using certledger::testing::ReadFile;
using certledger::testing::SharedPath;
using certledger::testing::TempDir;
using fixture::FakeRegistry;
using fixture::J;
using fixture::T;

Json Load(std::string_view rel) { return ::certledger::testing::SharedJson(rel); }

const int64_t kNow = crypto::ParseRfc3339("2026-07-01T12:00:00Z").value();

Report Check(const Json& c, const std::optional<Json>& receipt, TrustSource& trust,
             int64_t now = kNow, VerifierOptions options = {}) {
  auto r = VerifyCredential(c, receipt, trust, now, options);
  REQUIRE(r.ok());
  INFO(ReportToText(*r, Lang::kEn));
  return *r;
}

CheckStatus StatusOf(const Report& r, CheckId id) {
  const verifier::Check* c = r.Find(id);
  REQUIRE(c != nullptr);
  return c->status;
}

std::string SlugOf(const Report& r, CheckId id) {
  const verifier::Check* c = r.Find(id);
  REQUIRE(c != nullptr);
  return c->slug;
}

// Offline, nothing known: every fetch is unavailable.
class NoTrust final : public TrustSource {
 public:
  Result<Json> DidDocument(const std::string&) override { return Off(); }
  Result<Json> StatusListCredential(const std::string&) override { return Off(); }
  Result<std::string> LedgerVerifierKey() override { return Off(); }
  Result<std::string> NewestCheckpoint() override { return Off(); }
  Result<std::vector<crypto::Hash>> ConsistencyProof(int64_t, int64_t) override { return Off(); }

 private:
  static Status Off() { return Status::Unavailable("trust.offline", "offline"); }
};

// A registry with one issued, logged certificate and its bundle.
struct Issued {
  FakeRegistry reg;
  Json cert;
  Json receipt;
  TempDir dir;
  std::unique_ptr<TrustSource> bundle;

  explicit Issued(int status_index = 94567) {
    cert = reg.Sign(FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", status_index));
    int64_t i = reg.Log(cert);
    receipt = reg.Receipt(i);
  }
  TrustSource& Bundle(bool tiles = false) {
    reg.WriteBundle(dir.path(), tiles);
    auto b = NewBundleTrustSource(dir.path());
    REQUIRE(b.ok());
    bundle = std::move(b).value();
    return *bundle;
  }
};

// --- independent vectors ------------------------------------------------------

TEST_CASE("verifier: the Digital Bazaar eddsa-jcs-2022 did:key credential is valid", "[verifier]") {
  NoTrust none;
  Report r = Check(Load("vectors/vc/eddsa-jcs-2022-signed-by-digitalbazaar.json"), std::nullopt,
                   none, T("2026-01-01T00:00:00Z"));
  CHECK(r.verdict == Verdict::kValid);
  CHECK(r.ExitCode() == 0);
  CHECK(StatusOf(r, CheckId::kProof) == CheckStatus::kPassed);
  CHECK(StatusOf(r, CheckId::kKey) == CheckStatus::kPassed);
}

TEST_CASE("verifier: the tampered Digital Bazaar credential is an invalid signature (exit 1)",
          "[verifier]") {
  NoTrust none;
  Report r = Check(Load("vectors/vc/eddsa-jcs-2022-signed-by-digitalbazaar-tampered.json"),
                   std::nullopt, none);
  CHECK(r.verdict == Verdict::kInvalid);
  CHECK(r.ExitCode() == 1);
  CHECK(SlugOf(r, CheckId::kProof) == "proof.bad-signature");
}

TEST_CASE("verifier: the did:web vectors, resolved from vc/didweb/site/, are valid and revoked",
          "[verifier]") {
  auto fetcher =
      NewDirectoryFetcher({{"https://registry.example/", SharedPath("vectors/vc/didweb/site")}});
  auto online = NewOnlineTrustSource(fetcher.get(), {});
  Report valid = Check(Load("vectors/vc/didweb/didweb-status-valid.json"), std::nullopt, *online);
  CHECK(valid.verdict == Verdict::kValid);
  CHECK(StatusOf(valid, CheckId::kStatus) == CheckStatus::kPassed);
  Report revoked =
      Check(Load("vectors/vc/didweb/didweb-status-revoked.json"), std::nullopt, *online);
  CHECK(revoked.verdict == Verdict::kRevoked);
  CHECK(revoked.ExitCode() == 2);
  CHECK(StatusOf(revoked, CheckId::kProof) == CheckStatus::kPassed);
  CHECK(SlugOf(revoked, CheckId::kStatus) == "status.revoked");
}

TEST_CASE("verifier: the eddsa-rdfc-2022 vector is not reported valid", "[verifier]") {
  NoTrust none;
  Report r =
      Check(Load("vectors/vc/eddsa-rdfc-2022-signed-by-digitalbazaar.json"), std::nullopt, none);
  CHECK(r.verdict != Verdict::kValid);
}

// --- credentials issued here --------------------------------------------------

TEST_CASE("verifier: a logged certificate verifies offline from a trust bundle", "[verifier]") {
  Issued x;
  Report r = Check(x.cert, x.receipt, x.Bundle());
  CHECK(r.verdict == Verdict::kValid);
  for (const verifier::Check& c : r.checks) {
    INFO(CheckIdName(c.id) << ": " << c.reason.en);
    CHECK(c.status == CheckStatus::kPassed);
  }
  CHECK(r.ledger_index == 0);
  CHECK(r.checkpoint_size == 1);
  CHECK(r.verification_method == x.reg.Vm(2));
  Json j = ReportToJson(r);
  CHECK(j["verdict"] == "valid");
  CHECK(j["checks"].size() == 8);
  CHECK(ReportToText(r, Lang::kRu).find("ДЕЙСТВИТЕЛЕН") != std::string::npos);
}

TEST_CASE("verifier: a certificate revoked in the status list is revoked (exit 2)", "[verifier]") {
  Issued x(7);
  x.reg.SetStatus(7, true);
  Report r = Check(x.cert, x.receipt, x.Bundle());
  CHECK(r.verdict == Verdict::kRevoked);
  CHECK(SlugOf(r, CheckId::kStatus) == "status.revoked");
  CHECK(StatusOf(r, CheckId::kProof) == CheckStatus::kPassed);
}

TEST_CASE("verifier: a status list not signed by the issuer's key is could-not-check",
          "[verifier]") {
  Issued x(7);
  x.reg.WriteBundle(x.dir.path());
  Json lc = x.reg.StatusListCredential();
  lc["credentialSubject"]["statusPurpose"] = "suspension";  // altered after signing
  certledger::testing::WriteFile(x.dir.path() / "status/demo/1.json", lc.dump());
  auto b = NewBundleTrustSource(x.dir.path());
  REQUIRE(b.ok());
  Report r = Check(x.cert, x.receipt, **b);
  CHECK(r.verdict == Verdict::kCouldNotCheck);
  CHECK(SlugOf(r, CheckId::kStatus) == "status.list-invalid");
}

TEST_CASE("verifier: offline without the status list is could-not-check, never valid",
          "[verifier]") {
  Issued x;
  x.reg.WriteBundle(x.dir.path());
  std::filesystem::remove(x.dir.path() / "status/demo/1.json");
  auto b = NewBundleTrustSource(x.dir.path());
  REQUIRE(b.ok());
  Report r = Check(x.cert, x.receipt, **b);
  CHECK(r.verdict == Verdict::kCouldNotCheck);
  CHECK(r.ExitCode() == 5);
  CHECK(StatusOf(r, CheckId::kStatus) == CheckStatus::kCouldNotCheck);
  CHECK(StatusOf(r, CheckId::kProof) == CheckStatus::kPassed);
}

TEST_CASE("verifier: a voucher expires at the end of its year (exit 3)", "[verifier]") {
  FakeRegistry reg;
  Json v = reg.Sign(FakeRegistry::Voucher("ABCD-EFGH-JKMN-PQRS-T", 5), 2, "2026-03-02T10:00:00Z");
  TempDir dir;
  reg.WriteBundle(dir.path());
  auto b = NewBundleTrustSource(dir.path());
  REQUIRE(b.ok());
  CHECK(Check(v, std::nullopt, **b, T("2026-12-31T23:59:59.999+03:00")).verdict == Verdict::kValid);
  Report r = Check(v, std::nullopt, **b, T("2027-01-01T00:00:00+03:00"));
  CHECK(r.verdict == Verdict::kExpired);
  CHECK(r.ExitCode() == 3);
  CHECK(r.Find(CheckId::kValidity)->reason.en.find("end of its year") != std::string::npos);
  // Not yet valid before validFrom.
  CHECK(Check(v, std::nullopt, **b, T("2026-03-01T00:00:00Z")).verdict == Verdict::kExpired);
  // A voucher without validUntil is malformed.
  Json bad = FakeRegistry::Voucher("ABCD-EFGH-JKMN-PQRS-T", 5);
  bad.erase("validUntil");
  CHECK(Check(reg.Sign(bad), std::nullopt, **b).verdict == Verdict::kInvalid);
}

TEST_CASE("verifier: a suspended issuer is reported with its date (exit 4)", "[verifier]") {
  Issued x;
  x.reg.Suspend("2026-06-30T12:00:00Z");
  Report r = Check(x.cert, x.receipt, x.Bundle());
  CHECK(r.verdict == Verdict::kIssuerSuspended);
  CHECK(r.ExitCode() == 4);
  CHECK(r.Find(CheckId::kIssuer)->reason.en.find("since 2026-06-30T12:00:00Z") !=
        std::string::npos);
  CHECK(r.Find(CheckId::kIssuer)->reason.ru.find("приостановлена") != std::string::npos);
}

TEST_CASE("verifier: a key compromised after signing still verifies, before signing it fails",
          "[verifier]") {
  SECTION("revoked after the proof was created and logged") {
    Issued x;
    x.reg.RevokeKey(2, "2026-07-15T00:00:00Z");
    Report r = Check(x.cert, x.receipt, x.Bundle());
    CHECK(r.verdict == Verdict::kValid);
    CHECK(SlugOf(r, CheckId::kKey) == "key.revoked-after-signing");
  }
  SECTION("revoked before the proof was created") {
    Issued x;
    x.reg.RevokeKey(2, "2026-06-01T00:00:00Z");
    Report r = Check(x.cert, x.receipt, x.Bundle());
    CHECK(r.verdict == Verdict::kInvalid);
    CHECK(SlugOf(r, CheckId::kKey) == "key.revoked");
  }
  SECTION("revoked at exactly the proof's creation time") {
    Issued x;
    x.reg.RevokeKey(2, "2026-06-30T09:00:00Z");
    CHECK(Check(x.cert, x.receipt, x.Bundle()).verdict == Verdict::kInvalid);
  }
  SECTION("backdated proof, but logged after the revocation") {
    FakeRegistry reg;
    Json cert =
        reg.Sign(FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 3), 2, "2026-06-30T09:00:00Z");
    int64_t i = reg.Log(cert, "2026-07-20T00:00:00.000Z");
    Json receipt = reg.Receipt(i);
    reg.RevokeKey(2, "2026-07-15T00:00:00Z");
    TempDir dir;
    reg.WriteBundle(dir.path());
    auto b = NewBundleTrustSource(dir.path());
    REQUIRE(b.ok());
    Report r = Check(cert, receipt, **b);
    CHECK(r.verdict == Verdict::kInvalid);
    CHECK(SlugOf(r, CheckId::kKey) == "key.revoked");
  }
}

TEST_CASE("verifier: a key that is not the issuer's assertion method is invalid", "[verifier]") {
  Issued x;
  // Signed by a key of another DID that claims this issuer.
  auto other = crypto::Ed25519Signer::Generate("did:web:evil.example#key-1");
  crypto::ProofOptions po;
  po.verification_method = "did:web:evil.example#key-1";
  po.created = "2026-06-30T09:00:00Z";
  Json forged =
      *crypto::AddProof(FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 1), po, *other);
  Report r = Check(forged, std::nullopt, x.Bundle());
  CHECK(r.verdict == Verdict::kInvalid);
  CHECK(StatusOf(r, CheckId::kProof) == CheckStatus::kFailed);
}

TEST_CASE("verifier: a tampered certificate fails its signature and its receipt", "[verifier]") {
  Issued x;
  Json tampered = x.cert;
  tampered["credentialSubject"]["result"][0]["value"] = "97";
  Report r = Check(tampered, x.receipt, x.Bundle());
  CHECK(r.verdict == Verdict::kInvalid);
  CHECK(SlugOf(r, CheckId::kProof) == "proof.bad-signature");
  CHECK(SlugOf(r, CheckId::kReceipt) == "receipt.entry-mismatch");
}

TEST_CASE("verifier: forged receipts fail", "[verifier]") {
  Issued x;
  TrustSource& bundle = x.Bundle();
  SECTION("a checkpoint signed by another key") {
    FakeRegistry mallory;  // same origin name, different ledger key
    int64_t i = mallory.Log(x.cert);
    Report r = Check(x.cert, mallory.Receipt(i), bundle);
    CHECK(r.verdict == Verdict::kInvalid);
    CHECK(SlugOf(r, CheckId::kReceipt) == "note.no-verified-signature");
  }
  SECTION("an inclusion proof that does not lead to the root") {
    Json forged = x.receipt;
    forged["entry"] = forged["entry"].get<std::string>() + " ";
    Report r = Check(x.cert, forged, bundle);
    CHECK(r.verdict == Verdict::kInvalid);
    CHECK(SlugOf(r, CheckId::kReceipt) == "merkle.bad-proof");
  }
  SECTION("a genuine receipt of another credential") {
    Json other = x.reg.Sign(FakeRegistry::Certificate("AAAA-BBBB-CCCC-DDDD-E", 2));
    int64_t i = x.reg.Log(other);
    Json receipt = x.reg.Receipt(i);
    Report r = Check(x.cert, receipt, bundle);
    CHECK(r.verdict == Verdict::kInvalid);
    CHECK(SlugOf(r, CheckId::kReceipt) == "receipt.entry-mismatch");
  }
  SECTION("a malformed receipt") {
    Report r = Check(x.cert, J(R"({"type": "LedgerReceipt"})"), bundle);
    CHECK(r.verdict == Verdict::kInvalid);
    CHECK(SlugOf(r, CheckId::kReceipt) == "receipt.malformed");
  }
}

TEST_CASE("verifier: a receipt against an old checkpoint is consistent with the newest",
          "[verifier]") {
  FakeRegistry reg;
  Json cert = reg.Sign(FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 1));
  for (int i = 0; i < 3; ++i)
    reg.LogRaw("{\"type\":\"test.entry\",\"seq\":" + std::to_string(i) + "}");
  int64_t index = reg.Log(cert);
  Json old_receipt = reg.Receipt(index);  // checkpoint of size 4
  for (int i = 0; i < 300; ++i)
    reg.LogRaw("{\"type\":\"test.entry\",\"n\":" + std::to_string(i) + "}");
  std::string newest = reg.Checkpoint();  // size 304

  SECTION("online: the proof comes from the registry's consistency route") {
    FakeRegistry::Server server(&reg);
    auto online = NewOnlineTrustSource(&server, {FakeRegistry::kBase, ""});
    Report r = Check(cert, old_receipt, *online);
    CHECK(r.verdict == Verdict::kValid);
    CHECK(SlugOf(r, CheckId::kConsistency) == "consistency.ok");
    CHECK(r.checkpoint_size == 4);
    CHECK(r.newest_checkpoint_size == 304);
  }
  SECTION("offline with the ledger's tiles in the bundle") {
    TempDir dir;
    reg.WriteBundle(dir.path(), /*tiles=*/true);
    auto b = NewBundleTrustSource(dir.path());
    REQUIRE(b.ok());
    Report r = Check(cert, old_receipt, **b);
    CHECK(r.verdict == Verdict::kValid);
    CHECK(SlugOf(r, CheckId::kConsistency) == "consistency.ok");
  }
  SECTION("offline without tiles: could not check") {
    TempDir dir;
    reg.WriteBundle(dir.path());
    auto b = NewBundleTrustSource(dir.path());
    REQUIRE(b.ok());
    Report r = Check(cert, old_receipt, **b);
    CHECK(r.verdict == Verdict::kCouldNotCheck);
    CHECK(StatusOf(r, CheckId::kReceipt) == CheckStatus::kPassed);
    CHECK(SlugOf(r, CheckId::kConsistency) == "consistency.no-proof");
  }
  SECTION("offline, the receipt newer than the bundle: could not check") {
    TempDir dir;
    // The bundle was exported when the tree had 4 entries.
    reg.WriteBundle(dir.path(), true);
    certledger::testing::WriteFile(dir.path() / "checkpoint",
                                   old_receipt["checkpoint"].get<std::string>());
    Json new_receipt = reg.Receipt(index, newest, 304);
    auto b = NewBundleTrustSource(dir.path());
    REQUIRE(b.ok());
    Report r = Check(cert, new_receipt, **b);
    CHECK(r.verdict == Verdict::kCouldNotCheck);
    CHECK(SlugOf(r, CheckId::kConsistency) == "consistency.receipt-newer");
  }
}

TEST_CASE("verifier: an inconsistent consistency proof is reported as a fork", "[verifier]") {
  FakeRegistry reg;
  Json cert = reg.Sign(FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 1));
  int64_t index = reg.Log(cert);
  reg.LogRaw("{\"a\":1}");
  Json old_receipt = reg.Receipt(index);  // size 2
  reg.LogRaw("{\"a\":2}");
  reg.Checkpoint();  // size 3
  class Liar final : public Fetcher {
   public:
    explicit Liar(Fetcher* inner) : inner_(inner) {}
    Result<std::string> Get(const std::string& url, const std::string& accept) override {
      if (url.find("/consistency?") != std::string::npos) {
        return Json{{"proof", Json::array({crypto::Base64Encode(std::string(32, 'x')),
                                           crypto::Base64Encode(std::string(32, 'y'))})}}
            .dump();
      }
      return inner_->Get(url, accept);
    }

   private:
    Fetcher* inner_;
  };
  FakeRegistry::Server server(&reg);
  Liar liar(&server);
  auto online = NewOnlineTrustSource(&liar, {FakeRegistry::kBase, ""});
  Report r = Check(cert, old_receipt, *online);
  CHECK(r.verdict == Verdict::kInvalid);
  CHECK(SlugOf(r, CheckId::kConsistency) == "consistency.fork");
}

TEST_CASE("verifier: an unknown issuer online is invalid, unreachable is could-not-check",
          "[verifier]") {
  Issued x;
  FakeRegistry::Server server(&x.reg);
  auto online = NewOnlineTrustSource(&server, {FakeRegistry::kBase, ""});
  Json c = FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 1);
  c["issuer"]["id"] = "did:web:cert.example.ru:issuers:nobody";
  Report unknown = Check(c, std::nullopt, *online);
  CHECK(unknown.verdict == Verdict::kInvalid);
  CHECK(SlugOf(unknown, CheckId::kIssuer) == "issuer.unknown");
  server.down = true;
  Report down = Check(x.cert, x.receipt, *online);
  CHECK(down.verdict == Verdict::kCouldNotCheck);
  CHECK(StatusOf(down, CheckId::kProof) == CheckStatus::kCouldNotCheck);
}

TEST_CASE("verifier: the layered source falls back to the bundle and refreshes it", "[verifier]") {
  Issued x;
  x.reg.WriteBundle(x.dir.path());
  auto bundle = NewBundleTrustSource(x.dir.path());
  REQUIRE(bundle.ok());
  FakeRegistry::Server server(&x.reg);
  auto online = NewOnlineTrustSource(&server, {FakeRegistry::kBase, ""});
  auto layered = NewLayeredTrustSource(online.get(), bundle->get(), x.dir.path());
  // The issuer was suspended since the bundle was written: online tells.
  x.reg.Suspend("2026-07-01T00:00:00Z");
  CHECK(Check(x.cert, x.receipt, *layered).verdict == Verdict::kIssuerSuspended);
  // ... and the bundle now knows it too, offline.
  CHECK(Check(x.cert, x.receipt, **bundle).verdict == Verdict::kIssuerSuspended);
  server.down = true;
  CHECK(Check(x.cert, x.receipt, *layered).verdict == Verdict::kIssuerSuspended);
}

TEST_CASE("verifier: a long-lived Verifier reuses what it verified", "[verifier]") {
  Issued x;
  FakeRegistry::Server server(&x.reg);
  auto online = NewOnlineTrustSource(&server, {FakeRegistry::kBase, ""});
  Verifier v(online.get());
  auto first = v.Verify(x.cert, x.receipt, kNow);
  REQUIRE(first.ok());
  CHECK(first->verdict == Verdict::kValid);
  int gets = server.gets;
  auto second = v.Verify(x.cert, x.receipt, kNow + 1000);
  REQUIRE(second.ok());
  CHECK(second->verdict == Verdict::kValid);
  CHECK(server.gets == gets);
  // After the cache's lifetime, a revocation is seen.
  x.reg.SetStatus(94567, true);
  auto later = v.Verify(x.cert, x.receipt, kNow + 120'000);
  REQUIRE(later.ok());
  CHECK(later->verdict == Verdict::kRevoked);
}

TEST_CASE("verifier: structure problems are reported", "[verifier]") {
  NoTrust none;
  CHECK(Check(J("[1]"), std::nullopt, none).verdict == Verdict::kInvalid);
  Issued x;
  Json c = FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 1);
  c["@context"].erase(1);  // no OB 3.0 context
  Report r = Check(x.reg.Sign(c), std::nullopt, x.Bundle());
  CHECK(r.verdict == Verdict::kInvalid);
  CHECK(StatusOf(r, CheckId::kStructure) == CheckStatus::kFailed);
  CHECK(StatusOf(r, CheckId::kProof) == CheckStatus::kPassed);
  Json d = FakeRegistry::Certificate("7KQ2-M9XH-4TPA-ZR3C-5", 1);
  d["@context"][0] = "https://www.w3.org/2018/credentials/v1";
  CHECK(Check(x.reg.Sign(d), std::nullopt, x.Bundle()).verdict == Verdict::kInvalid);
}

TEST_CASE("verifier: require_receipt turns a missing receipt into could-not-check", "[verifier]") {
  Issued x;
  VerifierOptions o;
  o.require_receipt = true;
  CHECK(Check(x.cert, std::nullopt, x.Bundle(), kNow, o).verdict == Verdict::kCouldNotCheck);
  CHECK(Check(x.cert, std::nullopt, x.Bundle()).verdict == Verdict::kValid);
}

}  // namespace
}  // namespace certledger::verifier
