// Tests of Registry::IssueBatch (registry/certificates.cc): per-row
// validation, nothing of a bad row stored, idempotent re-runs, and issued
// credentials that validate against the Open Badges 3.0 JSON Schema with
// every term defined by their JSON-LD contexts (tests/registry/check_credentials.py).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "crypto/data_integrity.h"
#include "crypto/hash.h"
#include "crypto/multikey.h"
#include "crypto/rfc3339.h"
#include "registry/internal/db.h"
#include "registry/ledger/entry.h"
#include "registry/registry.h"
#include "tests/registry/certificate_fixture.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

struct BatchEnv : fixture::CertificateEnv {
  // 300 rows per transaction: the 1,000-row batch spans four, so rows are
  // checked against rows of earlier, committed groups too.
  BatchEnv() : CertificateEnv(300) {}

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
  BatchEnv env;
  const int64_t entries_before = env.Count("SELECT COUNT(*) FROM ledger_entries");
  std::vector<CertificateInput> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back(BatchEnv::Row(i));
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
  rows[707] = BatchEnv::Row(700);  // the same learner, programme and period as row 700
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
    auto credential = crypto::ParseJson(rec->credential);
    REQUIRE(credential.ok());
    CHECK(crypto::VerifyProof(*credential, env.Resolver()).ok());
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
  BatchEnv env;
  REQUIRE(env.reg->SuspendIssuer("demo").ok());
  auto r = env.reg->IssueBatch("demo", {BatchEnv::Row(1)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().slug() == "issuer.suspended");
  CHECK(env.Count("SELECT COUNT(*) FROM certificates") == 0);
}

TEST_CASE(
    "batch: every issued certificate validates against the OB 3.0 JSON Schema and every term "
    "resolves in its contexts",
    "[registry][batch][schema]") {
  BatchEnv env;
  std::vector<CertificateInput> rows;
  for (int i = 0; i < 12; ++i) rows.push_back(BatchEnv::Row(i));
  auto results = env.reg->IssueBatch("demo", rows);
  REQUIRE(results.ok());
  std::vector<std::string> codes;
  for (const auto& r : *results) {
    INFO(r.status.ToString());
    REQUIRE(r.status.ok());
    codes.push_back(r.code);
  }
  // A declared reissue (adds "supersedes") through the one-by-one path.
  CertificateInput re = BatchEnv::Row(1);
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
    auto credential = crypto::ParseJson(rec->credential);
    REQUIRE(credential.ok());
    CHECK(crypto::VerifyProof(*credential, env.Resolver()).ok());
    fs::path p = out / (code + ".json");
    std::ofstream(p) << credential->dump(2);
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

// The stored columns a credential is made of.
struct StoredCertificate {
  std::string code, learner_name, learner_hash, learner_salt, period_start, period_end;
  std::string identity_method, supersedes, programme, credential;
  int points = 0, status_n = 0;
  int64_t status_idx = 0, issued_ms = 0, ledger_idx = -1;
  double share = 0;
};

StoredCertificate Stored(BatchEnv& env, const std::string& code) {
  StoredCertificate s;
  REQUIRE(env.reg->db()
              .Read([&](internal::Conn& c) -> Status {
                auto& q = c.Prepare(
                    "SELECT c.code, c.learner_name, c.learner_hash, c.learner_salt, "
                    "c.period_start, c.period_end, c.identity_method, c.supersedes, p.code, "
                    "c.credential, c.points, c.status_n, c.status_idx, c.issued_ms, "
                    "c.identity_share, c.ledger_idx FROM certificates c JOIN programmes p ON "
                    "p.id = c.programme_id WHERE c.code = ?");
                q.bind(1, code);
                REQUIRE(q.executeStep());
                s.code = q.getColumn(0).getString();
                s.learner_name = q.getColumn(1).getString();
                s.learner_hash = q.getColumn(2).getString();
                // Sealed at rest (registry/internal/at_rest.h): read below.
                CHECK(q.getColumn(3).getString().empty());
                s.period_start = q.getColumn(4).getString();
                s.period_end = q.getColumn(5).getString();
                s.identity_method = q.getColumn(6).getString();
                s.supersedes = q.getColumn(7).getString();
                s.programme = q.getColumn(8).getString();
                s.credential = internal::Blob(q.getColumn(9));
                s.points = q.getColumn(10).getInt();
                s.status_n = q.getColumn(11).getInt();
                s.status_idx = q.getColumn(12).getInt64();
                s.issued_ms = q.getColumn(13).getInt64();
                s.share = q.getColumn(14).getDouble();
                s.ledger_idx = q.getColumn(15).getInt64();
                return Status::Ok();
              })
              .ok());
  // The salt is the identity check code, as stored before it was grouped.
  auto rec = env.reg->GetCertificate(code);
  REQUIRE(rec.ok());
  for (char ch : rec->identity_code) {
    if (ch != '-') s.learner_salt += ch;
  }
  return s;
}

// The credential of docs/formats.md for the stored columns, written out here
// independently of registry/certificates.cc, signed with AddProof.
std::string ExpectedCredential(BatchEnv& env, const StoredCertificate& s,
                               const crypto::Signer& signer) {
  // The salt of the hashed identifier is the learner's secret identity
  // check code: never in the credential (docs/formats.md "Learner identity").
  REQUIRE(s.learner_salt.size() == 32);
  CHECK(s.credential.find(s.learner_salt) == std::string::npos);
  const std::string base = "https://cert.example.ru";
  const std::string url = base + "/v/" + s.code;
  const std::string list = base + "/status/demo/" + std::to_string(s.status_n);
  auto p = env.reg->GetProgramme("demo", s.programme);
  REQUIRE(p.ok());
  const double units = std::round(p->hours / 36.0 * 100) / 100;
  Json achievement = {
      {"id", base + "/programmes/demo/" + p->code},
      {"type", Json::array({"Achievement"})},
      {"achievementType", "Certificate"},
      {"name", p->title_ru},
      {"description", p->title_en},
      {"criteria",
       {{"narrative", "Итоговая аттестация: не менее " + std::to_string(p->pass_mark) +
                          " баллов из " + std::to_string(p->max_points)}}},
      {"creditsAvailable", units},
      {"workloadHours", p->hours},
      {"competenceArea", p->competence_area},
      {"learningForm", p->form},
      {"learningOutcomes", p->outcomes},
      {"competencies", p->competencies},
      {"resultDescription", Json::array({Json{{"id", url + "#score"},
                                              {"type", Json::array({"ResultDescription"})},
                                              {"name", "Итоговая аттестация"},
                                              {"resultType", "ScaledScore"},
                                              {"valueMin", "0"},
                                              {"valueMax", std::to_string(p->max_points)},
                                              {"requiredValue", std::to_string(p->pass_mark)}}})}};
  Json subject = {{"type", Json::array({"AchievementSubject"})},
                  {"identifier", Json::array({Json{{"type", "IdentityObject"},
                                                   {"identityType", "name"},
                                                   {"hashed", false},
                                                   {"identityHash", s.learner_name}},
                                              Json{{"type", "IdentityObject"},
                                                   {"identityType", "identifier"},
                                                   {"hashed", true},
                                                   {"identityHash", s.learner_hash}}})},
                  {"achievement", achievement},
                  {"result", Json::array({Json{{"type", Json::array({"Result"})},
                                               {"resultDescription", url + "#score"},
                                               {"value", std::to_string(s.points)},
                                               {"status", "Completed"}}})},
                  {"creditsEarned", units},
                  {"activityStartDate", s.period_start + "T00:00:00Z"},
                  {"activityEndDate", s.period_end + "T00:00:00Z"},
                  {"identityVerification", {{"share", s.share}, {"method", s.identity_method}}}};
  Json cred = {
      {"@context", Json::array({"https://www.w3.org/ns/credentials/v2",
                                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                                base + "/contexts/v1.json"})},
      {"id", url},
      {"type", Json::array({"VerifiableCredential", "OpenBadgeCredential"})},
      {"name", p->document_type == "qualification-upgrade"
                   ? "Удостоверение о повышении квалификации"
                   : "Сертификат об обучении"},
      {"documentType", p->document_type},
      {"issuer",
       {{"id", env.reg->IssuerDid("demo")},
        {"type", Json::array({"Profile"})},
        {"name", "АНО ДПО «Цифровая академия»"},
        {"url", base + "/issuers/demo"},
        {"licence", "Л035-01298-77/00179876 от 2021-03-15"}}},
      {"validFrom", crypto::FormatRfc3339(s.issued_ms)},
      {"credentialSubject", subject},
      {"credentialStatus",
       {{"id", list + "#" + std::to_string(s.status_idx)},
        {"type", "BitstringStatusListEntry"},
        {"statusPurpose", "revocation"},
        {"statusListIndex", std::to_string(s.status_idx)},
        {"statusListCredential", list}}}};
  if (!s.supersedes.empty()) cred["supersedes"] = base + "/v/" + s.supersedes;
  crypto::ProofOptions po;
  po.created = crypto::FormatRfc3339(s.issued_ms);
  auto signed_cred = crypto::AddProof(cred, po, signer);
  REQUIRE(signed_cred.ok());
  (*signed_cred)["proof"] = Json::array({(*signed_cred)["proof"]});
  auto canonical = crypto::Canonicalize(*signed_cred);
  REQUIRE(canonical.ok());
  return *canonical;
}

TEST_CASE(
    "batch: each stored credential is byte for byte the documented credential signed by "
    "AddProof, with ledger entries in row order around a reissue",
    "[registry][batch]") {
  BatchEnv env;
  auto signer = env.reg->ActiveSigner("demo");
  REQUIRE(signer.ok());
  auto first = env.reg->IssueBatch("demo", {BatchEnv::Row(0), BatchEnv::Row(1)});
  REQUIRE(first.ok());
  REQUIRE((*first)[1].status.ok());
  // Templated rows of both programmes, a name that needs escaping, and a
  // declared reissue in the middle (Issue()'s path, two ledger entries).
  std::vector<CertificateInput> rows = {BatchEnv::Row(2), BatchEnv::Row(3), BatchEnv::Row(4),
                                        BatchEnv::Row(5), BatchEnv::Row(6)};
  rows[1].learner_name = "Учащийся \"3\" \\ Тест";
  rows[2] = BatchEnv::Row(1);
  rows[2].learner_name = "Учащийся 1 Исправленный";
  rows[2].supersedes = (*first)[1].code;
  rows[2].request_key = "test-batch:reissue-1";
  auto results = env.reg->IssueBatch("demo", rows);
  REQUIRE(results.ok());
  std::vector<std::string> codes = {(*first)[0].code};
  int64_t last_index = -1;
  for (size_t i = 0; i < results->size(); ++i) {
    const BatchRowResult& r = (*results)[i];
    INFO("row " << i << ": " << r.status.ToString());
    REQUIRE(r.status.ok());
    CHECK(r.ledger_index > last_index);
    if (i == 3) {
      // After every entry of the reissue: the superseded entry is its last.
      auto before = env.reg->ledger().Entry(r.ledger_index - 1);
      REQUIRE(before.ok());
      auto ev = DecodeEntry(*before);
      REQUIRE(ev.ok());
      CHECK(ev->type == event::kCertificateSuperseded);
    }
    last_index = r.ledger_index;
    codes.push_back(r.code);
  }
  for (const std::string& code : codes) {
    INFO(code);
    StoredCertificate s = Stored(env, code);
    CHECK(s.credential == ExpectedCredential(env, s, **signer));
    auto parsed = crypto::ParseJson(s.credential);
    REQUIRE(parsed.ok());
    CHECK(crypto::VerifyProof(*parsed, env.Resolver()).ok());
    // The ledger entry's digest covers exactly the stored bytes.
    auto entry = env.reg->ledger().Entry(s.ledger_idx);
    REQUIRE(entry.ok());
    auto ev = DecodeEntry(*entry);
    REQUIRE(ev.ok());
    CHECK(ev->digest == crypto::Sha256Tagged(s.credential));
    CHECK(ev->id == SubjectIdFor("https://cert.example.ru/v/" + code));
  }
}

// Issue() signs from templates too (made per issuer, programme, key and
// second, and kept), beside the writer (Db::WriteSteps). The stored
// credential must be byte for byte the documented one, also across a second,
// another programme, a new key and a name corrected in the same group.
TEST_CASE(
    "single issue: each stored credential is byte for byte the documented credential, across "
    "seconds, programmes, keys and corrections in the same group",
    "[registry][batch]") {
  BatchEnv env;
  auto issue = [&](CertificateInput in) {
    in.request_key.clear();
    auto d = env.reg->CreateDraft(in);
    INFO(d.status().ToString());
    REQUIRE(d.ok());
    REQUIRE(env.reg->ConfirmName(d->code).ok());
    auto c = env.reg->Issue(d->code);
    INFO(c.status().ToString());
    REQUIRE(c.ok());
    return *c;
  };
  auto check = [&](const CertificateRecord& rec, const std::string& key_id) {
    INFO(rec.code);
    StoredCertificate s = Stored(env, rec.code);
    auto signer = env.reg->ActiveSigner("demo");
    REQUIRE(signer.ok());
    REQUIRE((*signer)->KeyId() == key_id);
    CHECK(s.credential == ExpectedCredential(env, s, **signer));
    CHECK(rec.credential == s.credential);  // the answer carries the stored bytes
    auto entry = env.reg->ledger().Entry(s.ledger_idx);
    REQUIRE(entry.ok());
    auto ev = DecodeEntry(*entry);
    REQUIRE(ev.ok());
    CHECK(ev->digest == crypto::Sha256Tagged(s.credential));
  };
  const std::string key1 = env.reg->IssuerDid("demo") + "#key-1";
  const std::string key2 = env.reg->IssuerDid("demo") + "#key-2";
  // The first issue makes the status list, in its transaction.
  check(issue(BatchEnv::Row(1)), key1);
  // A name that needs escaping; the same
  // programme twice in one second (the kept template), then the other one.
  CertificateInput escaped = BatchEnv::Row(2);
  escaped.learner_name = "Учащийся \"2\" \\ Тест";
  check(issue(escaped), key1);
  check(issue(BatchEnv::Row(4)), key1);
  check(issue(BatchEnv::Row(3)), key1);
  // A second later: new validFrom and proof created.
  env.clock.Advance(1000);
  check(issue(BatchEnv::Row(5)), key1);
  // A key rotated in the group of an issue (queued just before it): the
  // issue is signed with the new key, from its new template.
  {
    auto d = env.reg->CreateDraft(BatchEnv::Row(7));
    REQUIRE(d.ok());
    REQUIRE(env.reg->ConfirmName(d->code).ok());
    Status rotated;
    Result<CertificateRecord> c = Status::Internal("test", "not run");
    fixture::InOneGroup(*env.reg, {[&] { rotated = env.reg->RotateKey("demo").status(); },
                                   [&] { c = env.reg->Issue(d->code); }});
    REQUIRE(rotated.ok());
    INFO(c.status().ToString());
    REQUIRE(c.ok());
    check(*c, key2);
  }
  check(issue(BatchEnv::Row(8)), key2);
  // A name corrected in the group of its issue, same second.
  {
    CertificateInput in = BatchEnv::Row(10);
    auto d = env.reg->CreateDraft(in);
    REQUIRE(d.ok());
    REQUIRE(env.reg->ConfirmName(d->code).ok());
    Status corrected;
    Result<CertificateRecord> c = Status::Internal("test", "not run");
    fixture::InOneGroup(
        *env.reg, {[&] { corrected = env.reg->CorrectName(d->code, "Учащийся 10 Исправленный"); },
                   [&] { c = env.reg->Issue(d->code); }});
    REQUIRE(corrected.ok());
    INFO(c.status().ToString());
    REQUIRE(c.ok());
    CHECK(c->view.learner_name == "Учащийся 10 Исправленный");
    check(*c, key2);
  }
}

}  // namespace
}  // namespace certledger::registry
