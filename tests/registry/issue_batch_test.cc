// Tests of Registry::IssueBatch (registry/certificates.cc): per-row
// validation, nothing of a bad row stored, idempotent re-runs, and issued
// credentials that validate against the Open Badges 3.0 JSON Schema with
// every term defined by their JSON-LD contexts (tests/registry/check_credentials.py).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "crypto/data_integrity.h"
#include "crypto/multikey.h"
#include "crypto/rfc3339.h"
#include "registry/internal/db.h"
#include "registry/registry.h"
#include "tests/registry/certificate_fixture.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

struct Env : testing::CertificateEnv {
  static CertificateInput Row(int i) {
    CertificateInput in;
    in.issuer = "demo";
    in.programme = i % 3 == 0 ? "PY-036" : "DA-101";
    in.learner_name = "Учащийся " + std::to_string(i) + " «Тестович»";
    in.learner_id = "learner-" + std::to_string(i);
    in.period_start = "2026-03-01";
    in.period_end = "2026-06-28";
    in.points = 60 + i % 41;
    in.identity_share = 0.4;
    in.identity_method = "online-proctoring";
    in.request_key = "test-batch:" + std::to_string(i);
    return in;
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    REQUIRE(reg->db()
                .Read([&](internal::Conn& c) -> Status {
                  n = c.db().execAndGet(sql).getInt64();
                  return Status::Ok();
                })
                .ok());
    return n;
  }
};

TEST_CASE(
    "batch: 1,000 rows with 10 bad rows issue exactly 990, report each bad row with its reason, "
    "store nothing of them, and a rerun issues nothing new",
    "[registry][batch]") {
  Env env;
  const int64_t entries_before = env.Count("SELECT COUNT(*) FROM ledger_entries");
  std::vector<CertificateInput> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back(Env::Row(i));
  // Ten bad rows of different kinds: (row, slug, field).
  struct Bad {
    size_t row;
    std::string slug, field;
  };
  std::vector<Bad> bad = {
      {17, "certificate.invalid", "learner_name"},
      {101, "certificate.invalid", "period_start"},
      {202, "certificate.invalid", "period_end"},
      {303, "certificate.invalid", "identity_share"},
      {404, "certificate.invalid", "identity_method"},
      {505, "programme.unknown", "programme"},
      {606, "certificate.below-pass-mark", "points"},
      {707, "certificate.duplicate", ""},
      {808, "issuer.mismatch", "issuer"},
      {909, "voucher.invalid", ""},  // fails after its writes: its savepoint rolls them back
  };
  rows[17].learner_name = "";
  rows[101].period_start = "2026-13-01";
  rows[202].period_end = "2026-02-01";
  rows[303].identity_share = 1.5;
  rows[404].identity_method = "telepathy";
  rows[505].programme = "NO-SUCH";
  rows[606].points = 10;
  rows[707] = Env::Row(700);  // the same learner, programme and period as row 700
  rows[707].request_key = "test-batch:707";
  rows[808].issuer = "someone-else";
  rows[909].voucher = "https://cert.example.ru/v/0000-0000-0000-0000-0";

  auto results = env.reg->IssueBatch("demo", rows);
  REQUIRE(results.ok());
  REQUIRE(results->size() == rows.size());
  std::set<std::string> codes;
  std::map<size_t, Status> rejected;
  for (size_t i = 0; i < results->size(); ++i) {
    const BatchRowResult& r = (*results)[i];
    CHECK(r.row == i);
    if (r.status.ok()) {
      CHECK_FALSE(r.already_issued);
      CHECK(r.ledger_index >= 0);
      codes.insert(r.code);
    } else {
      CHECK(r.code.empty());
      rejected[i] = r.status;
    }
  }
  CHECK(codes.size() == 990);
  REQUIRE(rejected.size() == bad.size());
  for (const Bad& b : bad) {
    INFO("row " << b.row);
    REQUIRE(rejected.count(b.row) == 1);
    const Status& s = rejected[b.row];
    INFO(s.ToString());
    CHECK_FALSE(s.message().empty());
    if (b.slug == "voucher.invalid") {
      CHECK(s.slug().rfind("voucher.", 0) == 0);  // whichever voucher error: it is not one
    } else {
      CHECK(s.slug() == b.slug);
      if (!b.field.empty()) CHECK(s.field() == b.field);
    }
  }
  // Nothing of the bad rows is stored: exactly one certificate row, one
  // ledger entry and one status index per issued certificate.
  CHECK(env.Count("SELECT COUNT(*) FROM certificates") == 990);
  CHECK(env.Count("SELECT COUNT(*) FROM certificates WHERE state = 'issued'") == 990);
  CHECK(env.Count("SELECT COUNT(*) FROM status_allocations") == 990);
  CHECK(env.Count("SELECT COUNT(*) FROM ledger_entries") == entries_before + 990);
  CHECK(env.Count("SELECT COUNT(*) FROM certificates WHERE request_key IN ('test-batch:17', "
                  "'test-batch:505', 'test-batch:606', 'test-batch:707', 'test-batch:909')") == 0);
  // The issued ones verify and are in the ledger.
  REQUIRE(env.reg->ledger().IntegrateNow().ok());
  int checked = 0;
  for (const std::string& code : codes) {
    if (checked++ % 97 != 0) continue;
    auto rec = env.reg->GetCertificate(code);
    REQUIRE(rec.ok());
    CHECK(rec->state == "issued");
    CHECK(crypto::VerifyProof(rec->credential, env.Resolver()).ok());
    CHECK(env.reg->CertificateReceipt(code).ok());
  }

  // Rerun of the same rows: nothing new, the same codes, the same rejections.
  auto again = env.reg->IssueBatch("demo", rows);
  REQUIRE(again.ok());
  std::set<std::string> codes_again;
  size_t rejected_again = 0;
  for (const BatchRowResult& r : *again) {
    if (r.status.ok()) {
      CHECK(r.already_issued);
      codes_again.insert(r.code);
    } else {
      ++rejected_again;
      CHECK(rejected.count(r.row) == 1);
    }
  }
  CHECK(codes_again == codes);
  CHECK(rejected_again == bad.size());
  CHECK(env.Count("SELECT COUNT(*) FROM certificates") == 990);
  CHECK(env.Count("SELECT COUNT(*) FROM ledger_entries") == entries_before + 990);
}

TEST_CASE("batch: a suspended issuer's batch is refused as a whole", "[registry][batch]") {
  Env env;
  REQUIRE(env.reg->SuspendIssuer("demo").ok());
  auto r = env.reg->IssueBatch("demo", {Env::Row(1)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().slug() == "issuer.suspended");
  CHECK(env.Count("SELECT COUNT(*) FROM certificates") == 0);
}

TEST_CASE(
    "batch: every issued certificate validates against the OB 3.0 JSON Schema and every term "
    "resolves in its contexts",
    "[registry][batch][schema]") {
  Env env;
  std::vector<CertificateInput> rows;
  for (int i = 0; i < 12; ++i) rows.push_back(Env::Row(i));
  auto results = env.reg->IssueBatch("demo", rows);
  REQUIRE(results.ok());
  std::vector<std::string> codes;
  for (const auto& r : *results) {
    INFO(r.status.ToString());
    REQUIRE(r.status.ok());
    codes.push_back(r.code);
  }
  // A declared reissue (adds "supersedes") through the one-by-one path.
  CertificateInput re = Env::Row(1);
  re.learner_name = "Учащийся 1 Исправленный";
  re.supersedes = codes[1];
  re.request_key = "";
  auto draft = env.reg->CreateDraft(re);
  REQUIRE(draft.ok());
  REQUIRE(env.reg->ConfirmName(draft->code).ok());
  REQUIRE(env.reg->Issue(draft->code).ok());
  codes.push_back(draft->code);

  namespace fs = std::filesystem;
  fs::path out = env.dir.path() / "credentials";
  fs::create_directories(out);
  std::string files;
  for (const std::string& code : codes) {
    auto rec = env.reg->GetCertificate(code);
    REQUIRE(rec.ok());
    CHECK(crypto::VerifyProof(rec->credential, env.Resolver()).ok());
    fs::path p = out / (code + ".json");
    std::ofstream(p) << rec->credential.dump(2);
    files += " '" + p.string() + "'";
  }
  fs::path ours = out / "context-v1.json";
  std::ofstream(ours) << env.reg->Context().dump(2);
  const std::string shared = CERTLEDGER_SHARED_DIR;
  const std::string source = CERTLEDGER_SOURCE_DIR;
  std::string cmd = "python3 '" + source + "/tests/registry/check_credentials.py' --schema '" +
                    shared + "/vectors/ob3/achievementcredential.schema.json' --context " +
                    "'https://www.w3.org/ns/credentials/v2=" + source +
                    "/tests/data/contexts/credentials-v2.json' --context " +
                    "'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json=" + shared +
                    "/vectors/ob3/context-3.0.3.json' --context " +
                    "'https://cert.example.ru/contexts/v1.json=" + ours.string() + "'" + files +
                    " > '" + (out / "check.log").string() + "' 2>&1";
  int rc = std::system(cmd.c_str());
  std::ifstream log(out / "check.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  INFO(text);
  CHECK(rc == 0);
  CHECK(text.find(std::to_string(codes.size()) + " credential(s) checked") != std::string::npos);
}

}  // namespace
}  // namespace certledger::registry
