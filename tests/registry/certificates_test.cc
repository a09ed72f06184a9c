#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "crypto/data_integrity.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/multikey.h"
#include "crypto/receipt.h"
#include "crypto/rfc3339.h"
#include "crypto/status_list.h"
#include "registry/ledger/entry.h"
#include "registry/registry.h"
#include "tests/registry/certificate_fixture.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

// A record's credential (stored as text) as a JSON value.
Json Cred(const CertificateRecord& rec) {
  auto j = crypto::ParseJson(rec.credential);
  REQUIRE(j.ok());
  return *j;
}

struct Env : fixture::CertificateEnv {
  CertificateInput Input(std::string name = "Иванова Мария Сергеевна", int points = 87) {
    CertificateInput in;
    in.issuer = "demo";
    in.programme = "DA-101";
    in.learner_name = std::move(name);
    in.learner_id = "112-233-445 95";
    in.period_start = "2026-03-01";
    in.period_end = "2026-06-28";
    in.points = points;
    in.identity_share = 0.4;
    in.identity_method = "online-proctoring";
    return in;
  }

  // A draft whose name the learner confirmed: its code.
  std::string ConfirmedDraft(CertificateInput in) {
    auto d = reg->CreateDraft(in);
    INFO(d.status().ToString());
    REQUIRE(d.ok());
    REQUIRE(reg->ConfirmName(d->code).ok());
    return d->code;
  }

  CertificateRecord IssueOne(CertificateInput in) {
    auto c = reg->Issue(ConfirmedDraft(std::move(in)));
    INFO(c.status().ToString());
    REQUIRE(c.ok());
    return *c;
  }

  bool StatusBit(const CertificateRecord& c) {
    const Json status = Cred(c)["credentialStatus"];
    auto entry = crypto::ParseStatusListEntry(status);
    REQUIRE(entry.ok());
    auto list = reg->StatusList("demo", 1);
    REQUIRE(list.ok());
    REQUIRE(crypto::VerifyProof(*list, Resolver()).ok());
    auto bits =
        crypto::Bitstring::Decode((*list)["credentialSubject"]["encodedList"].get<std::string>());
    REQUIRE(bits.ok());
    return *bits->Get(std::stoull(status["statusListIndex"].get<std::string>()));
  }
};

TEST_CASE(
    "certificates: draft, name check, issue: a signed OB 3.0 credential, logged and receipted",
    "[registry]") {
  Env env;
  auto draft = env.reg->CreateDraft(env.Input("Иванова Мария Сергевна"));
  REQUIRE(draft.ok());
  CHECK(draft->state == "draft");
  CHECK(draft->credential.empty());
  // Not before the learner has checked the spelling.
  CHECK(env.reg->Issue(draft->code).status().slug() == "certificate.name-unconfirmed");
  REQUIRE(env.reg->CorrectName(draft->code, "Иванова Мария Сергеевна").ok());
  auto cert = env.reg->Issue(draft->code);
  REQUIRE(cert.ok());
  CHECK(cert->state == "issued");
  const Json c = Cred(*cert);
  CHECK(c["id"] == "https://cert.example.ru/v/" + draft->code);
  CHECK(c["type"][1] == "OpenBadgeCredential");
  CHECK(c["issuer"]["id"] == "did:web:cert.example.ru:issuers:demo");
  CHECK(c["credentialSubject"]["identifier"][0]["identityHash"] == "Иванова Мария Сергеевна");
  CHECK(c["credentialSubject"]["creditsEarned"] == 2);
  CHECK(c["credentialSubject"]["achievement"]["workloadHours"] == 72);
  CHECK(c["credentialSubject"]["result"][0]["value"] == "87");
  // SNILS never appears in clear.
  CHECK(c.dump().find("112-233-445") == std::string::npos);
  CHECK(c.dump().find("11223344595") == std::string::npos);
  // The proof verifies with the key published in the issuer's DID document.
  CHECK(crypto::VerifyProof(c, env.Resolver()).ok());
  CHECK_FALSE(env.StatusBit(*cert));
  // The ledger entry binds the credential's digest; the receipt verifies offline.
  REQUIRE(env.reg->ledger().IntegrateNow().ok());
  auto receipt = env.reg->CertificateReceipt(draft->code);
  REQUIRE(receipt.ok());
  std::vector<crypto::NoteVerifier> keys{env.reg->ledger().NoteVerifier()};
  auto v = crypto::VerifyReceipt(*receipt, keys);
  REQUIRE(v.ok());
  auto entry = DecodeEntry(v->entry);
  REQUIRE(entry.ok());
  CHECK(entry->type == "certificate.issued");
  CHECK(entry->id == SubjectIdFor(c["id"].get<std::string>()));
  CHECK(entry->digest == crypto::Sha256Tagged(*crypto::Canonicalize(c)));
  // Nothing personal in the entry.
  CHECK(v->entry.find("Иванова") == std::string::npos);
  CHECK(v->entry.find(draft->code) == std::string::npos);
}

// Issue answers with the record built from what its transaction wrote (no
// read after the write): it must be exactly what GetCertificate reads back,
// for a first issue and for a reissue that supersedes it.
void CheckSameRecord(const CertificateRecord& a, const CertificateRecord& b) {
  CHECK(a.code == b.code);
  CHECK(a.url == b.url);
  CHECK(a.state == b.state);
  CHECK(a.issuer_slug == b.issuer_slug);
  CHECK(a.credential == b.credential);  // byte for byte
  CHECK(a.ledger_index == b.ledger_index);
  CHECK(a.revocation_reason == b.revocation_reason);
  CHECK(a.revoked_ms == b.revoked_ms);
  CHECK(a.supersedes == b.supersedes);
  CHECK(a.voucher == b.voucher);
  CHECK(a.name_confirmed == b.name_confirmed);
  CHECK(a.identity_code == b.identity_code);
  const model::CertificateView &x = a.view, &y = b.view;
  CHECK(x.code == y.code);
  CHECK(x.url == y.url);
  CHECK(x.document_type == y.document_type);
  CHECK(x.document_title.ru == y.document_title.ru);
  CHECK(x.issuer.slug == y.issuer.slug);
  CHECK(x.issuer.did == y.issuer.did);
  CHECK(x.issuer.name.ru == y.issuer.name.ru);
  CHECK(x.issuer.name.en == y.issuer.name.en);
  CHECK(x.issuer.inn == y.issuer.inn);
  CHECK(x.issuer.licence_date == y.issuer.licence_date);
  CHECK(x.issuer.suspended_at_ms == y.issuer.suspended_at_ms);
  CHECK(x.issuer.licence_number == y.issuer.licence_number);
  CHECK(x.issuer.status == y.issuer.status);
  CHECK(x.learner_name == y.learner_name);
  CHECK(x.course_code == y.course_code);
  CHECK(x.course_title == y.course_title);
  CHECK(x.period_start == y.period_start);
  CHECK(x.period_end == y.period_end);
  CHECK(x.hours == y.hours);
  CHECK(x.credit_units == y.credit_units);
  CHECK(x.outcomes == y.outcomes);
  CHECK(x.competencies == y.competencies);
  CHECK(x.points == y.points);
  CHECK(x.max_points == y.max_points);
  CHECK(x.pass_mark == y.pass_mark);
  CHECK(x.grade.en == y.grade.en);
  CHECK(x.identity_verified_share == y.identity_verified_share);
  CHECK(x.identity_method == y.identity_method);
  CHECK(x.issue_date == y.issue_date);
}

TEST_CASE("certificates: Issue answers what GetCertificate reads back afterwards", "[registry]") {
  Env env;
  auto first = env.IssueOne(env.Input());
  CHECK(first.state == "issued");
  CHECK_FALSE(first.identity_code.empty());
  CHECK_FALSE(first.view.issue_date.empty());
  CHECK(first.ledger_index >= 0);
  auto read = env.reg->GetCertificate(first.code);
  REQUIRE(read.ok());
  CheckSameRecord(first, *read);
  auto in = env.Input();
  in.points = 95;
  in.supersedes = first.code;
  auto second = env.IssueOne(in);
  CHECK(second.supersedes == first.code);
  read = env.reg->GetCertificate(second.code);
  REQUIRE(read.ok());
  CheckSameRecord(second, *read);
}

// A status index is drawn among the free ones of the issuer's newest list,
// also when that list is all but full (half its indexes allocated).
TEST_CASE("certificates: each issue takes a free status index, also in a full list", "[registry]") {
  Env env;
  env.IssueOne(env.Input("Петров Пётр Петрович"));  // makes list 1
  constexpr int64_t kHalf = 131072 / 2;
  constexpr int kIssues = 8;
  // Allocated: every even index below 2 * (kHalf - kIssues - 1), leaving
  // room for kIssues more before the list counts as full.
  Status st = env.reg->db().Write([&](internal::Conn& c) -> Status {
    auto& q = c.Prepare(
        "INSERT OR IGNORE INTO status_allocations(issuer_id, n, idx) SELECT id, 1, ? FROM "
        "issuers WHERE slug = 'demo'");
    for (int64_t i = 0; i < kHalf - kIssues - 1; ++i) {
      q.bind(1, 2 * i);
      q.exec();
      q.reset();
    }
    c.Exec(
        "UPDATE status_lists SET allocated = (SELECT COUNT(*) FROM status_allocations a WHERE "
        "a.issuer_id = status_lists.issuer_id AND a.n = 1) WHERE n = 1");
    return Status::Ok();
  });
  REQUIRE(st.ok());
  std::set<std::string> taken;
  for (int i = 0; i < kIssues; ++i) {
    CertificateInput in = env.Input("Учащийся " + std::to_string(i));
    in.learner_id = "learner-" + std::to_string(i);
    auto c = env.reg->Issue(env.ConfirmedDraft(in));
    INFO(c.status().ToString());
    REQUIRE(c.ok());
    const Json status = Cred(*c)["credentialStatus"];
    CHECK(status["statusListCredential"].get<std::string>().ends_with("/status/demo/1"));
    const std::string idx = status["statusListIndex"].get<std::string>();
    const int64_t n = std::stoll(idx);
    CHECK((n % 2 == 1 || n >= 2 * (kHalf - kIssues - 1)));  // not one allocated before
    CHECK(taken.insert(idx).second);
  }
}

// Db::WriteSteps: the issues of one group are checked and claimed one after
// another, signed side by side, then logged and stored in order; whatever
// else the group holds runs between them, in queue order. Each case puts
// its writes in one group (fixture::InOneGroup) and checks what a reader
// and a verifier see afterwards.
TEST_CASE("certificates: issues in one group of the writer", "[registry]") {
  Env env;
  auto first = env.Input("Петров Пётр Петрович");
  first.learner_id = "123-456-789 64";
  env.IssueOne(first);
  auto draft = [&](int i) {
    CertificateInput in = env.Input("Учащийся " + std::to_string(i));
    in.learner_id = "learner-" + std::to_string(i);
    return env.ConfirmedDraft(in);
  };
  auto ledger_size = [&] {
    int64_t n = 0;
    while (env.reg->ledger().Entry(n).ok()) ++n;
    return n;
  };
  const int64_t size_before = ledger_size();
  SECTION("distinct drafts: each issued once, with its own status index and ledger entry") {
    constexpr int kDrafts = 6;
    std::vector<std::string> codes;
    for (int i = 0; i < kDrafts; ++i) codes.push_back(draft(i));
    std::vector<Result<CertificateRecord>> out(kDrafts, Status::Internal("test", "not run"));
    std::vector<std::function<void()>> calls;
    for (int i = 0; i < kDrafts; ++i)
      calls.push_back([&, i] { out[i] = env.reg->Issue(codes[i]); });
    fixture::InOneGroup(*env.reg, calls);
    std::set<std::string> indexes;
    std::set<int64_t> entries;
    for (int i = 0; i < kDrafts; ++i) {
      INFO(out[i].status().ToString());
      REQUIRE(out[i].ok());
      const Json cred = Cred(*out[i]);
      CHECK(crypto::VerifyProof(cred, env.Resolver()).ok());
      CHECK(indexes.insert(cred["credentialStatus"]["statusListIndex"].get<std::string>()).second);
      CHECK(entries.insert(out[i]->ledger_index).second);
      CheckSameRecord(*out[i], *env.reg->GetCertificate(codes[i]));
      auto entry = env.reg->ledger().Entry(out[i]->ledger_index);
      REQUIRE(entry.ok());
      CHECK(DecodeEntry(*entry)->digest == crypto::Sha256Tagged(out[i]->credential));
    }
    CHECK(ledger_size() == size_before + kDrafts);
  }
  SECTION("the same draft three times among others: issued once, the others refused") {
    const std::string same = draft(1), other1 = draft(2), other2 = draft(3);
    const std::vector<std::string> codes = {same, other1, same, other2, same};
    std::vector<Result<CertificateRecord>> out(codes.size(), Status::Internal("test", "not run"));
    std::vector<std::function<void()>> calls;
    for (size_t i = 0; i < codes.size(); ++i) {
      calls.push_back([&, i] { out[i] = env.reg->Issue(codes[i]); });
    }
    fixture::InOneGroup(*env.reg, calls);
    // The first in the queue issues it; the group ran again, each write
    // whole, after the second one's finish found it issued.
    REQUIRE(out[0].ok());
    CHECK(out[2].status().slug() == "certificate.state");
    CHECK(out[4].status().slug() == "certificate.state");
    REQUIRE(out[1].ok());
    REQUIRE(out[3].ok());
    CHECK(ledger_size() == size_before + 3);
    for (size_t i : {0, 1, 3}) {
      CHECK(crypto::VerifyProof(Cred(*out[i]), env.Resolver()).ok());
      CheckSameRecord(*out[i], *env.reg->GetCertificate(codes[i]));
    }
    CHECK(env.reg->GetCertificate(same)->credential == out[0]->credential);
  }
  SECTION("a name corrected before the issue in the same group: the credential carries it") {
    const std::string code = draft(1), other = draft(2);
    Status corrected;
    Result<CertificateRecord> a = Status::Internal("test", "not run"), b = a;
    fixture::InOneGroup(*env.reg,
                        {[&] { a = env.reg->Issue(other); },
                         [&] { corrected = env.reg->CorrectName(code, "Учащийся Исправленный"); },
                         [&] { b = env.reg->Issue(code); }});
    REQUIRE(corrected.ok());
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(b->view.learner_name == "Учащийся Исправленный");
    CHECK(Cred(*b)["credentialSubject"]["identifier"][0]["identityHash"] ==
          "Учащийся Исправленный");
    CHECK(crypto::VerifyProof(Cred(*b), env.Resolver()).ok());
    CheckSameRecord(*b, *env.reg->GetCertificate(code));
  }
  SECTION("a key rotated between issues: the issues after it are signed with the new key") {
    const std::string c1 = draft(1), c2 = draft(2), c3 = draft(3);
    Status rotated;
    Result<CertificateRecord> a = Status::Internal("test", "not run"), b = a, c = a;
    fixture::InOneGroup(
        *env.reg,
        {[&] { a = env.reg->Issue(c1); }, [&] { rotated = env.reg->RotateKey("demo").status(); },
         [&] { b = env.reg->Issue(c2); }, [&] { c = env.reg->Issue(c3); }});
    REQUIRE(rotated.ok());
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(c.ok());
    const std::string did = "did:web:cert.example.ru:issuers:demo";
    CHECK(Cred(*a)["proof"][0]["verificationMethod"] == did + "#key-1");
    CHECK(Cred(*b)["proof"][0]["verificationMethod"] == did + "#key-2");
    CHECK(Cred(*c)["proof"][0]["verificationMethod"] == did + "#key-2");
    for (const auto* r : {&a, &b, &c}) {
      CHECK(crypto::VerifyProof(Cred(**r), env.Resolver()).ok());
      CheckSameRecord(**r, *env.reg->GetCertificate((*r)->code));
    }
  }
  SECTION("the issuer suspended between issues: the issue after it is refused") {
    const std::string c1 = draft(1), c2 = draft(2);
    Status suspended;
    Result<CertificateRecord> a = Status::Internal("test", "not run"), b = a;
    fixture::InOneGroup(*env.reg, {[&] { a = env.reg->Issue(c1); },
                                   [&] { suspended = env.reg->SuspendIssuer("demo"); },
                                   [&] { b = env.reg->Issue(c2); }});
    REQUIRE(suspended.ok());
    REQUIRE(a.ok());
    CHECK(b.status().slug() == "issuer.suspended");
    CHECK(env.reg->GetCertificate(c2)->state == "draft");
    CHECK(ledger_size() == size_before + 2);  // the issue and the suspension
  }
}

// docs/formats.md "Learner identity": the salt of the hashed SNILS is the
// learner's secret identity check code. With the salt published, the 10^9
// possible SNILS are tried in minutes, so it is in no public artefact: not
// the credential, not the receipt, not the ledger entry.
TEST_CASE("certificates: the identity check code hashes the SNILS and is in nothing public",
          "[registry][privacy]") {
  Env env;
  // One by Issue(), one templated batch row, one batch row by Issue()'s
  // path (a declared reissue): the three ways a credential is written.
  CertificateInput single = env.Input();
  CertificateInput batch = env.Input("Петров Пётр Петрович");
  batch.programme = "PY-036";
  batch.learner_id = "010-242-368 77";
  std::vector<std::pair<CertificateRecord, std::string>> issued;  // record, SNILS digits
  auto draft = env.reg->CreateDraft(single);
  REQUIRE(draft.ok());
  REQUIRE(env.reg->ConfirmName(draft->code).ok());
  auto one = env.reg->Issue(draft->code);
  REQUIRE(one.ok());
  CHECK(one->identity_code == draft->identity_code);  // the draft's, unchanged
  issued.emplace_back(*one, "11223344595");
  auto rows = env.reg->IssueBatch("demo", {batch});
  REQUIRE(rows.ok());
  REQUIRE((*rows)[0].status.ok());
  auto b = env.reg->GetCertificate((*rows)[0].code);
  REQUIRE(b.ok());
  issued.emplace_back(*b, "01024236877");
  CertificateInput reissue = env.Input();
  reissue.supersedes = issued[0].first.code;
  reissue.learner_id = "11223344595";  // the same SNILS, typed without separators
  auto r = env.reg->IssueBatch("demo", {reissue});
  REQUIRE(r.ok());
  REQUIRE((*r)[0].status.ok());
  auto re = env.reg->GetCertificate((*r)[0].code);
  REQUIRE(re.ok());
  issued.emplace_back(*re, "11223344595");
  REQUIRE(env.reg->ledger().IntegrateNow().ok());

  std::set<std::string> codes;
  for (const auto& [rec, snils] : issued) {
    INFO(rec.code);
    // Shown as eight groups of four hex digits; hashed as the 32 digits.
    REQUIRE(rec.identity_code.size() == 39);
    std::string hex;
    for (char ch : rec.identity_code) {
      if (ch != '-') hex += ch;
    }
    REQUIRE(hex.size() == 32);
    REQUIRE(crypto::HexDecode(hex).ok());
    codes.insert(hex);
    // identityHash = sha256$hex(SHA-256(code || SNILS digits)), computed here
    // without the registry's helper.
    const Json credential = Cred(rec);
    const Json& ids = credential["credentialSubject"]["identifier"];
    REQUIRE(ids.size() == 2);
    CHECK(ids[1]["identityType"] == "identifier");
    CHECK(ids[1]["hashed"] == true);
    CHECK(ids[1]["identityHash"] ==
          "sha256$" + crypto::HexEncode(crypto::AsStringView(crypto::Sha256(hex + snils))));
    CHECK_FALSE(ids[1].contains("salt"));
    // Nowhere in the credential, its receipt or its ledger entry, in any spelling.
    const std::string cred = rec.credential;
    CHECK(cred.find(hex) == std::string::npos);
    CHECK(cred.find(rec.identity_code) == std::string::npos);
    CHECK(cred.find("\"salt\"") == std::string::npos);
    auto receipt = env.reg->CertificateReceipt(rec.code);
    REQUIRE(receipt.ok());
    const std::string rjson = crypto::ReceiptToJson(*receipt).dump();
    CHECK(rjson.find(hex) == std::string::npos);
    CHECK(rjson.find(rec.identity_code) == std::string::npos);
    CHECK(receipt->entry.find(hex) == std::string::npos);
    // The signature still verifies, and covers the hash.
    CHECK(crypto::VerifyProof(credential, env.Resolver()).ok());
  }
  CHECK(codes.size() == issued.size());  // a new code per certificate
}

TEST_CASE("certificates: below the pass mark, duplicates and bad fields are refused",
          "[registry]") {
  Env env;
  auto low = env.reg->CreateDraft(env.Input("Петров Пётр", 59));
  CHECK(low.status().slug() == "certificate.below-pass-mark");
  CHECK(low.status().message().find("pass mark") != std::string::npos);
  env.IssueOne(env.Input());
  CHECK(env.reg->CreateDraft(env.Input()).status().slug() == "certificate.duplicate");
  // The same SNILS typed without separators is the same learner.
  auto in = env.Input();
  in.learner_id = "11223344595";
  CHECK(env.reg->CreateDraft(in).status().slug() == "certificate.duplicate");
  in.learner_id = " 112 233 445-95 ";
  CHECK(env.reg->CreateDraft(in).status().slug() == "certificate.duplicate");
  in = env.Input();
  in.period_end = "2026-02-01";
  CHECK(env.reg->CreateDraft(in).status().field() == "period_end");
  in = env.Input();
  in.identity_share = 1.5;
  CHECK(env.reg->CreateDraft(in).status().field() == "identity_share");
  in = env.Input();
  in.programme = "NOPE";
  CHECK(env.reg->CreateDraft(in).status().slug() == "programme.unknown");
  in = env.Input();
  in.learner_name = "";
  CHECK(env.reg->CreateDraft(in).status().field() == "learner_name");
  // Idempotent requests return the same draft.
  in = env.Input("Сидоров Сидор");
  in.learner_id = "other";
  in.request_key = "batch-1-row-7";
  auto a = env.reg->CreateDraft(in);
  auto b = env.reg->CreateDraft(in);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->code == b->code);
}

TEST_CASE("certificates: revocation sets the status bit, logs the reason, and is final",
          "[registry]") {
  Env env;
  auto cert = env.IssueOne(env.Input());
  CHECK(env.reg->Revoke(cert.code, "Error In Data", "").slug() == "certificate.invalid");
  REQUIRE(env.reg->Revoke(cert.code, "error-in-data", "ошибка в ФИО").ok());
  CHECK(env.reg->Revoke(cert.code, "error-in-data", "").slug() == "certificate.state");
  auto after = env.reg->GetCertificate(cert.code);
  REQUIRE(after.ok());
  CHECK(after->state == "revoked");
  CHECK(after->revocation_reason == "error-in-data: ошибка в ФИО");
  CHECK(env.StatusBit(*after));
  REQUIRE(env.reg->ledger().IntegrateNow().ok());
  bool logged = false;
  for (int64_t i = 0;; ++i) {
    auto e = env.reg->ledger().Entry(i);
    if (!e.ok()) break;
    auto ev = DecodeEntry(*e);
    if (ev->type == "certificate.revoked") {
      logged = true;
      CHECK(ev->fields["reason"] == "error-in-data");
      CHECK(e->find("ФИО") == std::string::npos);  // the free text stays off the ledger
    }
  }
  CHECK(logged);
}

TEST_CASE("certificates: a declared reissue supersedes the old certificate, both linked",
          "[registry]") {
  Env env;
  auto old = env.IssueOne(env.Input());
  auto in = env.Input();
  in.points = 90;
  in.supersedes = old.code;
  auto fresh = env.IssueOne(in);
  CHECK(Cred(fresh)["supersedes"] == old.url);
  auto o = env.reg->GetCertificate(old.code);
  CHECK(o->state == "superseded");
  CHECK(o->superseded_by == fresh.code);
  CHECK(env.reg->GetCertificate(fresh.code)->supersedes == old.code);
}

TEST_CASE("certificates: suspended issuers cannot issue, rotated keys keep old ones valid",
          "[registry]") {
  Env env;
  auto first = env.IssueOne(env.Input());
  REQUIRE(env.reg->RotateKey("demo").ok());
  auto in = env.Input("Другой Человек");
  in.learner_id = "010-242-368 77";
  auto second = env.IssueOne(in);
  CHECK(Cred(second)["proof"][0]["verificationMethod"] ==
        "did:web:cert.example.ru:issuers:demo#key-2");
  CHECK(crypto::VerifyProof(Cred(first), env.Resolver()).ok());
  CHECK(crypto::VerifyProof(Cred(second), env.Resolver()).ok());
  REQUIRE(env.reg->SuspendIssuer("demo").ok());
  auto in3 = env.Input("Третий");
  in3.learner_id = "third";
  CHECK(env.reg->CreateDraft(in3).status().slug() == "issuer.suspended");
  // Earlier certificates still verify, and can still be revoked.
  CHECK(crypto::VerifyProof(Cred(first), env.Resolver()).ok());
  REQUIRE(env.reg->Revoke(first.code, "issued-in-error", "").ok());
  CHECK(env.reg->GetIssuer("demo")->status == "suspended");
  CHECK(env.StatusBit(*env.reg->GetCertificate(first.code)));
}

TEST_CASE("certificates: typed codes are normalized, unknown and mistyped codes say so",
          "[registry]") {
  Env env;
  auto cert = env.IssueOne(env.Input());
  std::string lower;
  for (char ch : cert.code)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  CHECK(env.reg->GetCertificate(lower)->code == cert.code);
  CHECK(env.reg->GetCertificate("0000-0000-0000-0000-0").status().slug() == "certificate.unknown");
  CHECK(env.reg->GetCertificate("not a code").status().slug() == "code.invalid");
}

TEST_CASE("certificates: the grade follows the programme's assessment (docs/formats.md Grade)",
          "[registry][grade]") {
  // Pass/fail documents: "зачтено" whatever the score at or above the pass mark.
  for (const char* type : {"qualification-upgrade", "certificate"}) {
    INFO(type);
    CHECK(CertificateGrade(type, 60, 60, 100).ru == "зачтено");
    CHECK(CertificateGrade(type, 60, 60, 100).en == "pass");
    CHECK(CertificateGrade(type, 100, 60, 100).ru == "зачтено");
    CHECK(CertificateGrade(type, 59, 60, 100).ru == "не зачтено");
  }
  // Graded: the five-point scale by the share of the maximum (90 % / 70 %),
  // never below "удовлетворительно" at or above the pass mark.
  struct Case {
    int points, pass, max;
    const char *ru, *en;
  };
  for (const Case& c : std::initializer_list<Case>{
           {60, 60, 100, "удовлетворительно", "satisfactory"},
           {69, 60, 100, "удовлетворительно", "satisfactory"},
           {70, 60, 100, "хорошо", "good"},
           {89, 60, 100, "хорошо", "good"},
           {90, 60, 100, "отлично", "excellent"},
           {100, 60, 100, "отлично", "excellent"},
           {30, 30, 100, "удовлетворительно", "satisfactory"},  // below 55 %, passed
           {45, 40, 50, "отлично", "excellent"},                // 90 % of 50
           {44, 40, 50, "хорошо", "good"},
           {35, 30, 50, "хорошо", "good"},  // 70 % of 50
           {34, 30, 50, "удовлетворительно", "satisfactory"},
           {59, 60, 100, "неудовлетворительно", "unsatisfactory"}}) {
    INFO(c.points << "/" << c.max << ", pass " << c.pass);
    model::Text g = CertificateGrade("professional-retraining", c.points, c.pass, c.max);
    CHECK(g.ru == c.ru);
    CHECK(g.en == c.en);
  }

  // What the certificate shows, issued one by one and in a batch.
  Env env;
  REQUIRE(env.reg
              ->AddProgramme({"demo",
                              "PR-256",
                              "Аналитик данных",
                              "Data analyst",
                              "data-analysis",
                              256,
                              60,
                              100,
                              "distance",
                              "professional-retraining",
                              {"анализирует данные"},
                              {"анализ данных"}})
              .ok());
  CertificateInput pr = env.Input("Петров Пётр Петрович", 91);
  pr.programme = "PR-256";
  const auto graded = env.IssueOne(pr).view.grade;
  CHECK(graded.ru == "отлично");
  CHECK(graded.en == "excellent");  // the English page and the PDF's English column
  const auto passed = env.IssueOne(env.Input("Иванова Мария Сергеевна", 95)).view.grade;
  CHECK(passed.ru == "зачтено");
  CHECK(passed.en == "pass");
  std::vector<CertificateInput> rows;
  std::vector<std::string> expected;
  for (auto [points, grade] : std::initializer_list<std::pair<int, const char*>>{
           {60, "удовлетворительно"}, {70, "хорошо"}, {89, "хорошо"}, {90, "отлично"}}) {
    CertificateInput in = pr;
    in.learner_id = "learner-" + std::to_string(points);
    in.points = points;
    rows.push_back(in);
    expected.push_back(grade);
  }
  auto results = env.reg->IssueBatch("demo", rows);
  REQUIRE(results.ok());
  for (size_t i = 0; i < rows.size(); ++i) {
    INFO((*results)[i].status.ToString());
    REQUIRE((*results)[i].status.ok());
    auto rec = env.reg->GetCertificate((*results)[i].code);
    REQUIRE(rec.ok());
    CHECK(rec->view.grade.ru == expected[i]);
  }
}

}  // namespace
}  // namespace certledger::registry
