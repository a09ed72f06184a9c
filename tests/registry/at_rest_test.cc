// Tests registry/internal/at_rest.cc: stored responses of Idempotency-Keys
// and learners' identity check codes are sealed at rest (never in the
// database file or its WAL), read back exactly, sealed on open when an older
// database kept them in clear, and a tampered value is kDataLoss.
#include <filesystem>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/random.h"
#include "registry/internal/db.h"
#include "registry/registry.h"
#include "tests/registry/certificate_fixture.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

// The learners' identifiers, as hashed (digits only).
constexpr const char* kLearnerIds[] = {"11223344595", "22233344455", "98765432100",
                                       "12345678964", "11111111145", "33344455566"};

struct AtRestEnv : fixture::CertificateEnv {
  CertificateInput Input(std::string name, std::string learner_id) {
    CertificateInput in;
    in.issuer = "demo";
    in.programme = "DA-101";
    in.learner_name = std::move(name);
    in.learner_id = std::move(learner_id);
    in.period_start = "2026-03-01";
    in.period_end = "2026-06-28";
    in.points = 87;
    in.identity_share = 0.4;
    in.identity_method = "online-proctoring";
    return in;
  }

  // Certificates by each path that writes an identity check code: a draft
  // issued (CreateDraft, Issue), a draft left open, and a batch of three
  // (IssueBatch's templated rows). Returns code -> identity check code as
  // shown ("xxxx-xxxx-...").
  std::map<std::string, std::string> MakeCertificates() {
    std::map<std::string, std::string> out;
    auto d = reg->CreateDraft(Input("Иванова Мария Сергеевна", "112-233-445 95"));
    INFO(d.status().ToString());
    REQUIRE(d.ok());
    REQUIRE(reg->ConfirmName(d->code).ok());
    auto issued = reg->Issue(d->code);
    REQUIRE(issued.ok());
    out[issued->code] = issued->identity_code;
    auto open = reg->CreateDraft(Input("Петров Пётр Петрович", kLearnerIds[1]));
    REQUIRE(open.ok());
    out[open->code] = open->identity_code;
    std::vector<CertificateInput> rows;
    for (const char* name : {"Сидорова Анна", "Кузнецов Иван", "Смирнова Ольга"}) {
      rows.push_back(Input(name, kLearnerIds[2 + rows.size()]));
      rows.back().programme = "PY-036";
    }
    auto batch = reg->IssueBatch("demo", rows);
    REQUIRE(batch.ok());
    for (const BatchRowResult& r : *batch) {
      INFO(r.status.ToString());
      REQUIRE(r.status.ok());
      auto rec = reg->GetCertificate(r.code);
      REQUIRE(rec.ok());
      out[r.code] = rec->identity_code;
    }
    REQUIRE(out.size() == 5);
    for (const auto& [code, identity] : out) REQUIRE(identity.size() == 39);
    return out;
  }

  void Reopen() {
    reg.reset();
    RegistryOptions ro;
    ro.data_dir = dir.path().string();
    ro.ledger.background = false;
    auto reopened = Registry::Open(ro, clock);
    INFO(reopened.status().ToString());
    REQUIRE(reopened.ok());
    reg = std::move(*reopened);
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

// The identity check code as stored before schema 7: 32 hex digits.
std::string Hex(const std::string& shown) {
  std::string hex;
  for (char ch : shown) {
    if (ch != '-') hex += ch;
  }
  return hex;
}

// The registry's database as stored: the file and its WAL (a committed page
// not yet checkpointed is only in the WAL).
std::string AtRestStoredBytes(const std::filesystem::path& dir) {
  std::string bytes = certledger::testing::ReadFile(dir / "registry.db");
  if (std::filesystem::exists(dir / "registry.db-wal")) {
    bytes += certledger::testing::ReadFile(dir / "registry.db-wal");
  }
  return bytes;
}

// The secrets whose spellings must not be in the stored bytes.
std::vector<std::string> Needles(const std::map<std::string, std::string>& codes,
                                 const std::vector<std::string>& secrets) {
  std::vector<std::string> out = secrets;
  for (const auto& [code, shown] : codes) {
    out.push_back(shown);
    out.push_back(Hex(shown));
  }
  return out;
}

// A stored answer of POST /api/v1/tokens: the new token's secret is shown
// once, and the table api_tokens keeps its hash only.
struct TokenAnswer {
  std::string scope = "operator:";
  std::string key;
  std::string request_hash;
  std::string secret;
  StoredResponse response;
};

TokenAnswer NewTokenAnswer(const std::string& key) {
  TokenAnswer t;
  t.key = key;
  t.request_hash = crypto::Sha256Tagged("POST /api/v1/tokens\n{\"role\": \"provider\"} " + key);
  t.secret = crypto::Base64UrlEncode(crypto::RandomBytes(32));
  t.response.status = 201;
  t.response.content_type = "application/json";
  t.response.body = "{\"id\":\"0123456789abcdef\",\"token\":\"clt1.0123456789abcdef." + t.secret +
                    "\",\"role\":\"provider\",\"scope\":\"demo\"}";
  return t;
}

void CheckReadBack(AtRestEnv& env, const std::map<std::string, std::string>& codes,
                   const std::vector<TokenAnswer>& answers) {
  for (const auto& [code, shown] : codes) {
    auto rec = env.reg->GetCertificate(code);
    INFO(code << " " << rec.status().ToString());
    REQUIRE(rec.ok());
    CHECK(rec->identity_code == shown);
    if (rec->state == "issued") {
      // The code is still the one the credential's identityHash was made with.
      auto credential = crypto::ParseJson(rec->credential);
      REQUIRE(credential.ok());
      const Json& ids = (*credential)["credentialSubject"]["identifier"];
      bool matches = false;
      for (const char* id : kLearnerIds) {
        matches =
            matches || ids[1]["identityHash"] == "sha256$" + crypto::HexEncode(crypto::AsStringView(
                                                                 crypto::Sha256(Hex(shown) + id)));
      }
      CHECK(matches);
    }
  }
  for (const TokenAnswer& t : answers) {
    auto found = env.reg->FindResponse(t.scope, t.key, t.request_hash);
    INFO(t.key << " " << found.status().ToString());
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->status == t.response.status);
    CHECK((*found)->content_type == t.response.content_type);
    CHECK((*found)->body == t.response.body);
    CHECK(env.reg->FindResponse(t.scope, t.key, "sha256:other").status().slug() ==
          "idempotency.conflict");
  }
}

TEST_CASE("at rest: stored responses and identity check codes are never in the file or the WAL",
          "[registry][privacy]") {
  AtRestEnv env;
  const auto codes = env.MakeCertificates();
  std::vector<TokenAnswer> answers = {NewTokenAnswer("key-1"), NewTokenAnswer("key|2")};
  answers.back().response.body += std::string("\0\xff binary tail", 14);
  for (const TokenAnswer& t : answers) {
    REQUIRE(env.reg->StoreResponse(t.scope, t.key, t.request_hash, t.response).ok());
  }
  // An empty body (a 204) round-trips too.
  TokenAnswer empty = NewTokenAnswer("key-empty");
  empty.response = {204, "text/plain", ""};
  REQUIRE(env.reg->StoreResponse(empty.scope, empty.key, empty.request_hash, empty.response).ok());
  answers.push_back(empty);
  CHECK(env.reg->FindResponse("operator:", "unused", "x")->has_value() == false);

  CheckReadBack(env, codes, answers);
  std::vector<std::string> needles;
  for (const TokenAnswer& t : answers) {
    if (!t.secret.empty() && t.response.body.find(t.secret) != std::string::npos) {
      needles.push_back(t.secret);
    }
  }
  REQUIRE(needles.size() == 2);
  needles = Needles(codes, needles);
  const std::string stored = AtRestStoredBytes(env.dir.path());
  // The search finds what is in clear: the certificates' codes are.
  REQUIRE(stored.find(codes.begin()->first) != std::string::npos);
  for (const std::string& n : needles) {
    INFO(n);
    CHECK(stored.find(n) == std::string::npos);
  }
  // Row by row: the clear columns are empty, the sealed ones are set.
  CHECK(env.Count("SELECT count(*) FROM idempotency WHERE sealed IS NULL OR body != X''") == 0);
  CHECK(env.Count("SELECT count(*) FROM idempotency") == 3);
  CHECK(env.Count("SELECT count(*) FROM certificates WHERE identity_code IS NULL OR "
                  "learner_salt != ''") == 0);

  // After a reopen (and the checkpoint it makes), the same.
  env.Reopen();
  CheckReadBack(env, codes, answers);
  const std::string after = AtRestStoredBytes(env.dir.path());
  for (const std::string& n : needles) {
    INFO(n);
    CHECK(after.find(n) == std::string::npos);
  }
}

// A database written before schema 7 (stored responses and identity check
// codes in clear) is sealed when opened: everything reads back the same, and
// no clear copy is left in the file, its free pages or the WAL.
TEST_CASE("at rest: a schema 6 database is sealed on open", "[registry][privacy]") {
  AtRestEnv env;
  const auto codes = env.MakeCertificates();
  std::vector<TokenAnswer> answers;
  for (int i = 0; i < 3; ++i) {
    answers.push_back(NewTokenAnswer("key-" + std::to_string(i)));
    REQUIRE(env.reg
                ->StoreResponse(answers.back().scope, answers.back().key,
                                answers.back().request_hash, answers.back().response)
                .ok());
  }
  env.reg.reset();

  // Back to schema 6, as its certledger wrote the rows (the history of an
  // old file's pages included: secure_delete off).
  const auto file = env.dir.path() / "registry.db";
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA secure_delete = OFF");
    db.exec("DROP INDEX idempotency_clear");
    db.exec("DROP INDEX certificates_clear");
    SQLite::Statement c(db, "UPDATE certificates SET learner_salt = ? WHERE code = ?");
    for (const auto& [code, shown] : codes) {
      c.bind(1, Hex(shown));
      c.bind(2, code);
      REQUIRE(c.exec() == 1);
      c.reset();
    }
    SQLite::Statement r(db, "UPDATE idempotency SET body = ? WHERE scope = ? AND key = ?");
    for (const TokenAnswer& t : answers) {
      r.bind(1, t.response.body.data(), static_cast<int>(t.response.body.size()));
      r.bind(2, t.scope);
      r.bind(3, t.key);
      REQUIRE(r.exec() == 1);
      r.reset();
    }
    db.exec("ALTER TABLE idempotency DROP COLUMN sealed");
    db.exec("ALTER TABLE certificates DROP COLUMN identity_code");
    db.exec("PRAGMA user_version = 6");
  }
  std::vector<std::string> secrets;
  for (const TokenAnswer& t : answers) secrets.push_back(t.secret);
  const std::vector<std::string> needles = Needles(codes, secrets);
  // The search finds the clear values in the old file (the codes as 32 hex
  // digits: they were grouped only when shown).
  {
    const std::string old = AtRestStoredBytes(env.dir.path());
    std::vector<std::string> clear = secrets;
    for (const auto& [code, shown] : codes) clear.push_back(Hex(shown));
    for (const std::string& n : clear) {
      INFO(n);
      REQUIRE(old.find(n) != std::string::npos);
    }
  }

  env.Reopen();
  CheckReadBack(env, codes, answers);
  const std::string stored = AtRestStoredBytes(env.dir.path());
  for (const std::string& n : needles) {
    INFO(n);
    CHECK(stored.find(n) == std::string::npos);
  }
  CHECK(env.Count("PRAGMA user_version") == 7);
  CHECK(env.Count("SELECT count(*) FROM idempotency WHERE sealed IS NULL OR body != X''") == 0);
  CHECK(env.Count("SELECT count(*) FROM certificates WHERE identity_code IS NULL OR "
                  "learner_salt != ''") == 0);
  CHECK(env.Count("SELECT count(*) FROM meta WHERE key IN ('secrets_vacuum', 'outbox_vacuum')") ==
        0);

  // New rows go on sealed beside the upgraded ones.
  auto more = env.reg->CreateDraft(env.Input("Новикова Елена", kLearnerIds[5]));
  REQUIRE(more.ok());
  CHECK(AtRestStoredBytes(env.dir.path()).find(Hex(more->identity_code)) == std::string::npos);
  CHECK(env.reg->GetCertificate(more->code)->identity_code == more->identity_code);

  // A VACUUM still owed (the last open stopped before it) is done at the next.
  REQUIRE(env.reg->db()
              .Write([](internal::Conn& c) -> Status {
                c.Exec("INSERT INTO meta(key, value) VALUES ('secrets_vacuum', X'31')");
                return Status::Ok();
              })
              .ok());
  env.Reopen();
  CHECK(env.Count("SELECT count(*) FROM meta WHERE key = 'secrets_vacuum'") == 0);
  CheckReadBack(env, codes, answers);
}

TEST_CASE("at rest: a sealed value altered or moved to another row is data loss",
          "[registry][privacy]") {
  AtRestEnv env;
  const auto codes = env.MakeCertificates();
  TokenAnswer a = NewTokenAnswer("key-a"), b = NewTokenAnswer("key-b");
  for (const TokenAnswer* t : {&a, &b}) {
    REQUIRE(env.reg->StoreResponse(t->scope, t->key, t->request_hash, t->response).ok());
  }
  auto first = codes.begin(), second = std::next(first);
  std::string sealed_code, sealed_response;
  REQUIRE(env.reg->db()
              .Read([&](internal::Conn& c) -> Status {
                auto& q = c.Prepare("SELECT identity_code FROM certificates WHERE code = ?");
                q.bind(1, first->first);
                REQUIRE(q.executeStep());
                sealed_code = internal::Blob(q.getColumn(0));
                q.reset();
                auto& r = c.Prepare("SELECT sealed FROM idempotency WHERE key = ?");
                r.bind(1, a.key);
                REQUIRE(r.executeStep());
                sealed_response = internal::Blob(r.getColumn(0));
                r.reset();
                return Status::Ok();
              })
              .ok());
  auto write = [&](const std::string& sql, const std::string& blob, const std::string& key) {
    REQUIRE(env.reg->db()
                .Write([&](internal::Conn& c) -> Status {
                  auto& u = c.Prepare(sql);
                  u.bind(1, blob.data(), static_cast<int>(blob.size()));
                  u.bind(2, key);
                  REQUIRE(u.exec() == 1);
                  return Status::Ok();
                })
                .ok());
  };
  // The first certificate's sealed code moved to the second: it does not open there.
  write("UPDATE certificates SET identity_code = ? WHERE code = ?", sealed_code, second->first);
  auto moved = env.reg->GetCertificate(second->first);
  CHECK(moved.status().IsDataLoss());
  CHECK(moved.status().message().find("identity check code") != std::string::npos);
  // One bit flipped in the first's.
  std::string flipped = sealed_code;
  flipped[30] = static_cast<char>(flipped[30] ^ 1);
  write("UPDATE certificates SET identity_code = ? WHERE code = ?", flipped, first->first);
  CHECK(env.reg->GetCertificate(first->first).status().IsDataLoss());
  // Truncated, and empty.
  write("UPDATE certificates SET identity_code = ? WHERE code = ?", sealed_code.substr(0, 10),
        first->first);
  CHECK(env.reg->GetCertificate(first->first).status().IsDataLoss());
  write("UPDATE certificates SET identity_code = ? WHERE code = ?", "", first->first);
  CHECK(env.reg->GetCertificate(first->first).status().IsDataLoss());

  // Stored responses: a's moved to b's key, then altered.
  write("UPDATE idempotency SET sealed = ? WHERE key = ?", sealed_response, b.key);
  auto moved_response = env.reg->FindResponse(b.scope, b.key, b.request_hash);
  CHECK(moved_response.status().IsDataLoss());
  CHECK(moved_response.status().message().find("Idempotency-Key") != std::string::npos);
  flipped = sealed_response;
  flipped.back() = static_cast<char>(flipped.back() ^ 0x80);
  write("UPDATE idempotency SET sealed = ? WHERE key = ?", flipped, a.key);
  CHECK(env.reg->FindResponse(a.scope, a.key, a.request_hash).status().IsDataLoss());
  // The others still read.
  auto rest = codes;
  rest.erase(first->first);
  rest.erase(second->first);
  CheckReadBack(env, rest, {});
}

}  // namespace
}  // namespace certledger::registry
