// Tests registry/vouchers.cc: the live queue, the voucher life cycle, the
// year end, the outbox, the public trail and the quota under concurrency.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "crypto/data_integrity.h"
#include "crypto/multikey.h"
#include "crypto/rfc3339.h"
#include "crypto/status_list.h"
#include "registry/eligibility.h"
#include "registry/internal/db.h"
#include "registry/internal/outbox.h"
#include "registry/ledger/entry.h"
#include "registry/registry.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

int64_t T(const char* rfc3339) { return *crypto::ParseRfc3339(rfc3339); }

// A valid SNILS for account number `n` (9 digits, above 001-001-998).
std::string Snils(int64_t n) {
  std::string d = std::to_string(n);
  d = std::string(9 - d.size(), '0') + d;
  int s = 0;
  for (int i = 0; i < 9; ++i) s += (d[i] - '0') * (9 - i);
  int control = s < 100 ? s : (s == 100 || s == 101) ? 0 : s % 101 % 100;
  return d + static_cast<char>('0' + control / 10) + static_cast<char>('0' + control % 10);
}

struct VoucherEnv {
  testing::TempDir dir;
  ManualClock clock{T("2026-06-30T09:00:00Z")};
  std::unique_ptr<Registry> reg;

  explicit VoucherEnv(int64_t quota = 3, bool configure = true) {
    InitOptions io;
    io.data_dir = dir.path().string();
    io.base_url = "https://cert.example.ru";
    REQUIRE(Registry::Init(io, clock).ok());
    RegistryOptions ro;
    ro.data_dir = dir.path().string();
    ro.ledger.background = false;
    ro.ledger.max_pending = int64_t{1} << 30;
    reg = std::move(*Registry::Open(ro, clock));
    for (const char* slug : {"demo", "other"}) {
      REQUIRE(
          reg->RegisterIssuer({slug, "provider", "АНО ДПО «Цифровая академия»", "Digital Academy",
                               "7707083893", "Л035-01298-77/00179876", "2021-03-15"})
              .ok());
      ProgrammeInput p{slug,
                       "DA-101",
                       "Анализ данных на Python",
                       "Data analysis in Python",
                       "data-analysis",
                       72,
                       60,
                       100,
                       "distance",
                       "qualification-upgrade",
                       {"умеет готовить данные"},
                       {"анализ данных"}};
      REQUIRE(reg->AddProgramme(p).ok());
    }
    if (configure) REQUIRE(reg->ConfigureYear(Year(2026, quota)).ok());
  }

  static YearConfigInput Year(int year, int64_t quota) {
    YearConfigInput y;
    y.year = year;
    y.quota = quota;
    y.opens_at = std::to_string(year) + "-01-15T09:00:00+03:00";
    y.regions = {"77", "50", "16"};
    y.education_levels = DefaultEducationLevels();
    y.document_deadline_days = 30;
    return y;
  }

  static ApplicationInput Person(int64_t n) {
    ApplicationInput in;
    in.full_name = "Заявитель Номер " + std::to_string(n);
    in.birth_date = "1990-05-10";
    in.sex = n % 2 ? "male" : "female";
    in.citizenship = "RU";
    in.education_level = "higher-bachelor";
    in.region_code = "77";
    in.registration_type = n % 3 ? "permanent" : "temporary";
    in.email = "person" + std::to_string(n) + "@example.ru";
    in.phone = "+7 900 " + std::to_string(1000000 + n);
    in.snils = Snils(100000000 + n);
    in.issuer = "demo";
    in.programme = "DA-101";
    return in;
  }

  ApplicationView Apply(int64_t n, const std::string& key = "") {
    auto r = reg->Apply(Person(n), key);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(r->failures.empty());
    REQUIRE(r->application);
    return *r->application;
  }

  std::vector<LedgerEvent> Entries() {
    std::vector<LedgerEvent> out;
    for (int64_t i = 0;; ++i) {
      auto e = reg->ledger().Entry(i);
      if (!e.ok()) break;
      auto ev = DecodeEntry(*e);
      REQUIRE(ev.ok());
      out.push_back(*ev);
    }
    return out;
  }

  std::vector<OutboxMessage> Messages(const std::string& kind) {
    auto all = reg->Outbox(0, 1000);
    REQUIRE(all.ok());
    std::vector<OutboxMessage> out;
    for (auto& m : *all) {
      if (m.kind == kind) out.push_back(m);
    }
    return out;
  }
};

// The six digits after "Your sign-in code: " in a "login-code" message.
std::string LoginCodeIn(const OutboxMessage& m) {
  const std::string marker = "Your sign-in code: ";
  const size_t at = m.body.find(marker);
  REQUIRE(at != std::string::npos);
  return m.body.substr(at + marker.size(), 6);
}

// The registry's database as stored: the file and its WAL (a committed page
// not yet checkpointed is only in the WAL).
std::string StoredBytes(const std::filesystem::path& dir) {
  std::string bytes = testing::ReadFile(dir / "registry.db");
  if (std::filesystem::exists(dir / "registry.db-wal")) {
    bytes += testing::ReadFile(dir / "registry.db-wal");
  }
  return bytes;
}

// Replays the public ledger alone: the vouchers holding a slot never exceed
// the quota, new arrivals come in increasing sequence, an immediate issuance
// happens only with nobody waiting, and a promotion serves the smallest
// waiting sequence. Returns the number of issuances.
int64_t ReplayLedger(const std::vector<LedgerEvent>& entries) {
  std::map<int64_t, int64_t> quota;           // year -> quota
  std::map<int64_t, int64_t> holding;         // year -> slots held
  std::map<int64_t, std::set<int64_t>> wait;  // year -> waiting sequences
  std::map<int64_t, int64_t> last_seq;
  int64_t issued = 0;
  for (const auto& e : entries) {
    const Json& f = e.fields;
    if (!f.contains("year")) continue;
    const int64_t y = f["year"].get<int64_t>();
    if (e.type == event::kYearConfigured) {
      quota[y] = f["quota"].get<int64_t>();
    } else if (e.type == event::kApplicationQueued) {
      const int64_t seq = f["queueSeq"].get<int64_t>();
      REQUIRE(seq > last_seq[y]);
      last_seq[y] = seq;
      wait[y].insert(seq);
    } else if (e.type == event::kVoucherIssued) {
      const int64_t seq = f["queueSeq"].get<int64_t>();
      if (f.contains("servedSeq")) {
        REQUIRE(f["servedSeq"].get<int64_t>() == seq);
        REQUIRE(!wait[y].empty());
        REQUIRE(seq == *wait[y].begin());  // strict arrival order
        wait[y].erase(wait[y].begin());
      } else {
        REQUIRE(wait[y].empty());  // nobody was jumped
        REQUIRE(seq > last_seq[y]);
        last_seq[y] = seq;
      }
      ++holding[y];
      REQUIRE(holding[y] <= quota[y]);
      ++issued;
    } else if (e.type == event::kVoucherAnnulled || e.type == event::kVoucherWithdrawn) {
      if (f["slotFreed"].get<bool>()) --holding[y];
    } else if (e.type == event::kApplicationLapsed) {
      REQUIRE(wait[y].erase(f["queueSeq"].get<int64_t>()) == 1);
    }
  }
  return issued;
}

TEST_CASE("vouchers: an eligible application gets a signed voucher valid to the year's end",
          "[registry][vouchers]") {
  VoucherEnv env;
  auto app = env.Apply(1);
  CHECK(app.state == "voucher-issued");
  CHECK(app.arrival_seq == 1);
  CHECK_FALSE(app.queue_position);
  CHECK(app.id.size() == 32);
  auto v = env.reg->GetVoucher(app.voucher_code);
  REQUIRE(v.ok());
  CHECK(v->state == "issued");
  CHECK(v->application_id == app.id);
  CHECK(v->valid_until == "2026-12-31T23:59:59.999+03:00");
  const Json& c = v->credential;
  CHECK(c["type"][1] == "TrainingVoucherCredential");
  CHECK(c["id"] == "https://cert.example.ru/v/" + app.voucher_code);
  CHECK(c["issuer"]["id"] == "did:web:cert.example.ru:issuers:operator");
  CHECK(c["validUntil"] == "2026-12-31T23:59:59.999+03:00");
  CHECK(c["credentialSubject"]["holderName"] == "Заявитель Номер 1");
  CHECK(c["credentialSubject"]["programme"] == "https://cert.example.ru/programmes/demo/DA-101");
  CHECK(c["credentialStatus"]["type"] == "BitstringStatusListEntry");
  CHECK(c["credentialStatus"]["statusListCredential"] ==
        "https://cert.example.ru/status/operator/1");
  auto resolver = [&](const std::string& vm) -> Result<std::string> {
    auto doc = env.reg->IssuerDidDocument("operator");
    if (!doc.ok()) return doc.status();
    for (const auto& m : (*doc)["verificationMethod"]) {
      if (m["id"] == vm) {
        return crypto::DecodeEd25519Multikey(m["publicKeyMultibase"].get<std::string>());
      }
    }
    return Status::NotFound("test.key", vm);
  };
  CHECK(crypto::VerifyProof(c, resolver).ok());
  // Typed codes are normalised; the provider sees it in its list.
  CHECK(env.reg->GetVoucher(c["id"].get<std::string>()).ok());
  auto list = env.reg->VouchersOfIssuer("demo");
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK(env.reg->VouchersOfIssuer("other")->empty());
  auto counter = env.reg->Counter(2026);
  REQUIRE(counter.ok());
  CHECK(counter->quota == 3);
  CHECK(counter->issued == 1);
  CHECK(counter->active == 1);
  CHECK(counter->spaces_left == 2);
  CHECK(counter->queue_length == 0);
  CHECK(counter->open);
  auto issued = env.Messages("voucher-issued");
  REQUIRE(issued.size() == 1);
  CHECK(issued[0].recipient == "person1@example.ru");
  CHECK(issued[0].body.find(app.voucher_code) != std::string::npos);
}

// Vouchers are written from a canonical template (vouchers.cc, SignVoucher):
// each stored voucher must be byte for byte the documented credential
// (docs/formats.md) signed as a JSON document with AddProof (Ed25519 is
// deterministic), whether signed before the transaction (an application) or
// in it (a promotion), across seconds, programmes, names that need escaping
// and a key rotation; and the ledger's digest covers those bytes.
TEST_CASE("vouchers: a voucher signed from the template is byte for byte the documented one",
          "[registry][vouchers]") {
  VoucherEnv env(6);
  auto check = [&](const ApplicationView& app, const ApplicationInput& in,
                   const std::string& key_number, int64_t signed_ms) {
    INFO(app.voucher_code);
    auto v = env.reg->GetVoucher(app.voucher_code);
    REQUIRE(v.ok());
    auto stored = crypto::Canonicalize(v->credential);
    REQUIRE(stored.ok());
    const Json& st = v->credential["credentialStatus"];
    const std::string list = st["statusListCredential"].get<std::string>();
    const std::string idx = st["statusListIndex"].get<std::string>();
    const std::string base = "https://cert.example.ru";
    Json doc = {{"@context", {"https://www.w3.org/ns/credentials/v2", base + "/contexts/v1.json"}},
                {"id", base + "/v/" + app.voucher_code},
                {"type", {"VerifiableCredential", "TrainingVoucherCredential"}},
                {"issuer",
                 {{"id", "did:web:cert.example.ru:issuers:operator"},
                  {"name", v->credential["issuer"]["name"]}}},
                {"validFrom", crypto::FormatRfc3339(signed_ms)},
                {"validUntil", "2026-12-31T23:59:59.999+03:00"},
                {"credentialSubject",
                 {{"type", "TrainingVoucher"},
                  {"holderName", in.full_name},
                  {"programme", base + "/programmes/" + in.issuer + "/" + in.programme},
                  {"year", 2026}}},
                {"credentialStatus",
                 {{"id", list + "#" + idx},
                  {"type", "BitstringStatusListEntry"},
                  {"statusPurpose", "revocation"},
                  {"statusListIndex", idx},
                  {"statusListCredential", list}}}};
    auto signer = env.reg->ActiveSigner("operator");
    REQUIRE(signer.ok());
    REQUIRE((*signer)->KeyId() == "did:web:cert.example.ru:issuers:operator#key-" + key_number);
    crypto::ProofOptions po;
    po.created = crypto::FormatRfc3339(signed_ms);
    auto expected = crypto::AddProof(doc, po, **signer);
    REQUIRE(expected.ok());
    CHECK(*stored == *crypto::Canonicalize(*expected));
    bool logged = false;
    for (const auto& e : env.Entries()) {
      if (e.type == event::kVoucherIssued && e.digest == crypto::Sha256Tagged(*stored)) {
        logged = true;
      }
    }
    CHECK(logged);
  };
  auto apply = [&](const ApplicationInput& in) {
    auto r = env.reg->Apply(in, "");
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(r->application);
    return *r->application;
  };
  ApplicationInput p1 = VoucherEnv::Person(1);
  const int64_t t0 = env.clock.NowMillis();
  const ApplicationView first = apply(p1);
  check(first, p1, "1", t0);
  // A name that needs escaping; the same second (the kept template).
  ApplicationInput p2 = VoucherEnv::Person(2);
  p2.full_name = "Заявитель \"Второй\" \\ Тест";
  check(apply(p2), p2, "1", t0);
  // Another provider's programme, a second later.
  env.clock.Advance(1000);
  ApplicationInput p3 = VoucherEnv::Person(3);
  p3.issuer = "other";
  check(apply(p3), p3, "1", t0 + 1000);
  // The operator's key rotated.
  REQUIRE(env.reg->RotateKey("operator").ok());
  ApplicationInput p4 = VoucherEnv::Person(4);
  check(apply(p4), p4, "2", t0 + 1000);
  ApplicationInput p5 = VoucherEnv::Person(5), p6 = VoucherEnv::Person(6);
  check(apply(p5), p5, "2", t0 + 1000);
  check(apply(p6), p6, "2", t0 + 1000);
  // Quota reached: the next one waits, then is served by an annulment (its
  // voucher signed in the annulment's transaction).
  ApplicationInput p7 = VoucherEnv::Person(7);
  p7.full_name = "Ожидающий «Заявитель» Élan";
  auto queued = apply(p7);
  REQUIRE(queued.state == "queued");
  env.clock.Advance(1000);
  REQUIRE(env.reg->Annul(first.voucher_code, "operator-decision", "").ok());
  auto promoted = env.reg->GetApplication(queued.id);
  REQUIRE(promoted.ok());
  REQUIRE(promoted->state == "voucher-issued");
  check(*promoted, p7, "2", t0 + 2000);
}

TEST_CASE("vouchers: an ineligible application gets every reason and stores nothing",
          "[registry][vouchers]") {
  VoucherEnv env;
  auto in = VoucherEnv::Person(1);
  in.citizenship = "KZ";
  in.region_code = "01";
  auto r = env.reg->Apply(in, "k1");
  REQUIRE(r.ok());
  CHECK_FALSE(r->application);
  REQUIRE(r->failures.size() == 2);
  CHECK(r->failures[0].code == "citizenship.not-ru");
  CHECK(r->failures[1].code == "region.not-participating");
  CHECK(env.reg->Counter(2026)->issued == 0);
  // Fixed, the same person (and the same key) applies.
  auto ok = env.reg->Apply(VoucherEnv::Person(1), "k1");
  REQUIRE(ok.ok());
  REQUIRE(ok->application);
  auto bad = VoucherEnv::Person(2);
  bad.email = "no-at-sign";
  CHECK(env.reg->Apply(bad, "").status().field() == "email");
  auto unknown = VoucherEnv::Person(3);
  unknown.programme = "NOPE";
  CHECK(env.reg->Apply(unknown, "").status().slug() == "programme.unknown");
}

TEST_CASE("vouchers: one application per person per year, earlier years do not block",
          "[registry][vouchers]") {
  VoucherEnv env;
  auto first = env.Apply(1, "key-a");
  // The same key is a retry: the same answer.
  auto again = env.Apply(1, "key-a");
  CHECK(again.id == first.id);
  CHECK(again.voucher_code == first.voucher_code);
  // The same person, another key, SNILS written differently.
  auto in = VoucherEnv::Person(1);
  std::string s = in.snils;
  in.snils = s.substr(0, 3) + "-" + s.substr(3, 3) + "-" + s.substr(6, 3) + " " + s.substr(9);
  auto dup = env.reg->Apply(in, "key-b");
  CHECK(dup.status().slug() == "application.duplicate");
  CHECK(dup.status().code() == Code::kAlreadyExists);
  // Even after withdrawing, not twice in a year.
  REQUIRE(env.reg->Withdraw(first.id).ok());
  CHECK(env.reg->Apply(VoucherEnv::Person(1), "").status().slug() == "application.duplicate");
  // Next year is a new year.
  REQUIRE(env.reg->ConfigureYear(VoucherEnv::Year(2027, 3)).ok());
  env.clock.Set(T("2027-02-01T09:00:00Z"));
  auto next = env.Apply(1);
  CHECK(next.year == 2027);
  CHECK(next.state == "voucher-issued");
}

TEST_CASE("vouchers: applications before opening, in an unknown year, after the year end",
          "[registry][vouchers]") {
  VoucherEnv env(3, false);
  CHECK(env.reg->Apply(VoucherEnv::Person(1), "").status().slug() == "year.unknown");
  CHECK(env.reg->Counter(2026).status().slug() == "year.unknown");
  REQUIRE(env.reg->ConfigureYear(VoucherEnv::Year(2026, 3)).ok());
  env.clock.Set(T("2026-01-15T05:59:59.999Z"));
  CHECK(env.reg->Apply(VoucherEnv::Person(1), "").status().slug() == "year.closed");
  CHECK_FALSE(env.reg->Counter(2026)->open);
  env.clock.Set(T("2026-01-15T06:00:00Z"));
  CHECK(env.Apply(1).state == "voucher-issued");
  env.clock.Set(T("2026-12-31T20:59:59.999Z"));
  CHECK(env.Apply(2).state == "voucher-issued");
  // 1 January in Moscow: 2026 is over and 2027 is not configured.
  env.clock.Set(T("2026-12-31T21:00:00Z"));
  CHECK(env.reg->Apply(VoucherEnv::Person(3), "").status().slug() == "year.unknown");
  auto cfg = env.reg->GetYearConfig(2026);
  REQUIRE(cfg.ok());
  CHECK(cfg->quota == 3);
  CHECK(env.reg->GetYearConfig(2030).status().slug() == "year.unknown");
  // The configuration is public: a ledger entry with quota and opening.
  auto entries = env.Entries();
  auto it = std::find_if(entries.begin(), entries.end(),
                         [](const LedgerEvent& e) { return e.type == event::kYearConfigured; });
  REQUIRE(it != entries.end());
  CHECK(it->fields["quota"] == 3);
  CHECK(it->fields["opensAt"] == "2026-01-15T09:00:00+03:00");
  CHECK(it->fields["closesAt"] == "2026-12-31T23:59:59.999+03:00");
}

TEST_CASE("queue: past the quota applications wait, a freed slot goes to the head at once",
          "[registry][vouchers]") {
  VoucherEnv env(2);
  auto a1 = env.Apply(1), a2 = env.Apply(2), a3 = env.Apply(3), a4 = env.Apply(4),
       a5 = env.Apply(5);
  CHECK(a2.state == "voucher-issued");
  CHECK(a3.state == "queued");
  CHECK(*a3.queue_position == 1);
  CHECK(*a5.queue_position == 3);
  CHECK(env.reg->Counter(2026)->spaces_left == 0);
  CHECK(env.reg->Counter(2026)->queue_length == 3);
  CHECK(env.Messages("queued").size() == 3);

  // The second in the queue leaves: the others move up.
  REQUIRE(env.reg->Withdraw(a4.id).ok());
  CHECK(env.reg->GetApplication(a4.id)->state == "withdrawn");
  CHECK(*env.reg->GetApplication(a5.id)->queue_position == 2);
  CHECK(env.reg->Withdraw(a4.id).slug() == "application.state");

  // An annulment frees a slot: the head of the queue gets it in the same transaction.
  REQUIRE(env.reg->Annul(a1.voucher_code, "operator-decision", "дубликат").ok());
  auto p3 = env.reg->GetApplication(a3.id);
  REQUIRE(p3.ok());
  CHECK(p3->state == "voucher-issued");
  auto v3 = env.reg->GetVoucher(p3->voucher_code);
  REQUIRE(v3.ok());
  CHECK(*v3->served_seq == a3.arrival_seq);
  CHECK(*env.reg->GetApplication(a5.id)->queue_position == 1);
  auto promoted = env.Messages("promoted");
  REQUIRE(promoted.size() == 1);
  CHECK(promoted[0].application_id == a3.id);
  CHECK(promoted[0].body.find("1") != std::string::npos);
  auto annulled = env.Messages("annulled");
  REQUIRE(annulled.size() == 1);
  CHECK(annulled[0].body.find("дубликат") != std::string::npos);
  auto v1 = env.reg->GetVoucher(a1.voucher_code);
  CHECK(v1->state == "annulled");
  CHECK(v1->reason == "operator-decision: дубликат");
  CHECK(env.reg->Annul(a1.voucher_code, "again", "").slug() == "voucher.state");

  // A voucher given back before enrolment also frees its slot.
  REQUIRE(env.reg->Withdraw(a2.id).ok());
  CHECK(env.reg->GetVoucher(a2.voucher_code)->state == "withdrawn");
  CHECK(env.reg->GetApplication(a5.id)->state == "voucher-issued");
  auto counter = env.reg->Counter(2026);
  CHECK(counter->issued == 4);
  CHECK(counter->active == 2);
  CHECK(counter->queue_length == 0);
  // A new arrival with a free slot and nobody waiting gets a voucher at once.
  REQUIRE(env.reg->Annul(p3->voucher_code, "operator-decision", "").ok());
  CHECK(env.Apply(6).state == "voucher-issued");
  CHECK(ReplayLedger(env.Entries()) == 5);
  // The annulled voucher's status bit is set in the operator's list.
  auto list = env.reg->StatusList("operator", 1);
  REQUIRE(list.ok());
  auto bits =
      crypto::Bitstring::Decode((*list)["credentialSubject"]["encodedList"].get<std::string>());
  REQUIRE(bits.ok());
  CHECK(*bits->Get(
      std::stoull(v1->credential["credentialStatus"]["statusListIndex"].get<std::string>())));
  CHECK_FALSE(*bits->Get(std::stoull(
                  v3->credential["credentialStatus"]["statusListIndex"].get<std::string>())) ==
              false);
}

TEST_CASE("queue: a larger quota serves the queue at once, a smaller one is refused",
          "[registry][vouchers]") {
  VoucherEnv env(1);
  env.Apply(1);
  auto a2 = env.Apply(2);
  CHECK(a2.state == "queued");
  auto y = VoucherEnv::Year(2026, 0);
  y.quota = 0;
  CHECK(env.reg->ConfigureYear(y).slug() == "year.invalid");
  y.quota = 2;
  REQUIRE(env.reg->ConfigureYear(y).ok());
  CHECK(env.reg->GetApplication(a2.id)->state == "voucher-issued");
  y.quota = 1;
  CHECK(env.reg->ConfigureYear(y).field() == "quota");
  y.quota = 5;
  y.time_zone = "Asia/Vladivostok";
  CHECK(env.reg->ConfigureYear(y).field() == "timeZone");
}

TEST_CASE("vouchers: life cycle issued -> enrolled -> completed by the certificate",
          "[registry][vouchers]") {
  VoucherEnv env;
  auto a = env.Apply(1);
  const std::string code = a.voucher_code;
  CHECK(env.reg->Enrol("other", code, "DA-2026-07", "2026-07-01").slug() == "voucher.wrong-issuer");
  CHECK(env.reg->Enrol("demo", code, "", "2026-07-01").field() == "group");
  CHECK(env.reg->Enrol("demo", code, "DA-2026-07", "1 July").field() == "start_date");
  CHECK(env.reg->Enrol("demo", "0000-0000-0000-0000-0", "G", "2026-07-01").slug() ==
        "voucher.unknown");
  REQUIRE(env.reg->Enrol("demo", code, "DA-2026-07", "2026-07-01").ok());
  auto v = env.reg->GetVoucher(code);
  CHECK(v->state == "enrolled");
  CHECK(v->group == "DA-2026-07");
  CHECK(v->start_date == "2026-07-01");
  CHECK(env.reg->Enrol("demo", code, "DA-2026-07", "2026-07-01").slug() == "voucher.state");
  auto enrolled = env.Messages("enrolled");
  REQUIRE(enrolled.size() == 1);
  CHECK(enrolled[0].body.find("DA-2026-07") != std::string::npos);
  // Not withdrawn once enrolled.
  CHECK(env.reg->Withdraw(a.id).slug() == "application.state");

  // The provider's certificate referencing the voucher completes it.
  CertificateInput ci;
  ci.issuer = "other";
  ci.programme = "DA-101";
  ci.learner_name = "Заявитель Номер 1";
  ci.learner_id = VoucherEnv::Person(1).snils;
  ci.period_start = "2026-07-01";
  ci.period_end = "2026-08-30";
  ci.points = 90;
  ci.identity_share = 0.4;
  ci.identity_method = "online-proctoring";
  ci.voucher = "https://cert.example.ru/v/" + code;
  auto wrong = env.reg->CreateDraft(ci);
  REQUIRE(wrong.ok());
  REQUIRE(env.reg->ConfirmName(wrong->code).ok());
  CHECK(env.reg->Issue(wrong->code).status().slug() == "voucher.wrong-issuer");
  CHECK(env.reg->GetCertificate(wrong->code)->state == "draft");  // rolled back
  ci.issuer = "demo";
  auto d = env.reg->CreateDraft(ci);
  REQUIRE(d.ok());
  REQUIRE(env.reg->ConfirmName(d->code).ok());
  auto cert = env.reg->Issue(d->code);
  INFO(cert.status().ToString());
  REQUIRE(cert.ok());
  v = env.reg->GetVoucher(code);
  CHECK(v->state == "completed");
  CHECK(v->certificate == d->code);
  CHECK(env.reg->Annul(code, "operator-decision", "").slug() == "voucher.state");
  // Completion keeps the slot.
  CHECK(env.reg->Counter(2026)->active == 1);
  auto entries = env.Entries();
  CHECK(std::any_of(entries.begin(), entries.end(),
                    [](const LedgerEvent& e) { return e.type == event::kVoucherCompleted; }));
}

TEST_CASE("vouchers: documents overdue without a valid reason annul the voucher",
          "[registry][vouchers]") {
  VoucherEnv env(2);
  auto a1 = env.Apply(1), a2 = env.Apply(2), a3 = env.Apply(3);
  REQUIRE(env.reg->RecordValidReason(a2.voucher_code, "больничный лист").ok());
  CHECK(*env.reg->RunDeadlines() == 0);
  env.clock.Advance(30LL * 86400000 - 1);
  CHECK(*env.reg->RunDeadlines() == 0);
  env.clock.Advance(1);
  // Not enrolled any more once overdue (unless excused).
  CHECK(env.reg->Enrol("demo", a1.voucher_code, "G1", "2026-08-01").slug() == "voucher.state");
  CHECK(*env.reg->RunDeadlines() == 1);
  CHECK(*env.reg->RunDeadlines() == 0);  // idempotent
  auto v1 = env.reg->GetVoucher(a1.voucher_code);
  CHECK(v1->state == "annulled");
  CHECK(v1->reason == "documents-late");
  CHECK(env.reg->GetVoucher(a2.voucher_code)->state == "issued");
  CHECK(env.reg->Enrol("demo", a2.voucher_code, "G1", "2026-08-01").ok());
  // The freed slot went to the queue.
  CHECK(env.reg->GetApplication(a3.id)->state == "voucher-issued");
  CHECK(ReplayLedger(env.Entries()) == 3);
}

TEST_CASE("vouchers: year end at 23:59:59.999 Europe/Moscow expires vouchers and lapses the queue",
          "[registry][vouchers]") {
  VoucherEnv env(2);
  auto a1 = env.Apply(1), a2 = env.Apply(2), a3 = env.Apply(3), a4 = env.Apply(4);
  REQUIRE(env.reg->RecordValidReason(a1.voucher_code, "ждёт группу").ok());
  REQUIRE(env.reg->RecordValidReason(a2.voucher_code, "ждёт группу").ok());
  REQUIRE(env.reg->Enrol("demo", a2.voucher_code, "G", "2026-12-01").ok());
  // Fourteen days before: an "expiring" notice, once.
  env.clock.Set(T("2026-12-17T21:00:00Z"));
  CHECK(*env.reg->RunDeadlines() == 2);
  CHECK(*env.reg->RunDeadlines() == 0);
  CHECK(env.Messages("expiring").size() == 2);
  // The last millisecond of the year in Moscow: still valid, nothing expires.
  env.clock.Set(T("2026-12-31T20:59:59.999Z"));
  CHECK(*env.reg->RunDeadlines() == 0);
  CHECK(env.reg->GetVoucher(a1.voucher_code)->state == "issued");
  CHECK(env.reg->Counter(2026)->open);
  // 00:00:00.000 on 1 January in Moscow.
  env.clock.Set(T("2026-12-31T21:00:00Z"));
  CHECK(env.reg->Enrol("demo", a1.voucher_code, "G", "2027-01-10").slug() == "voucher.state");
  CHECK(*env.reg->RunDeadlines() == 4);
  CHECK(*env.reg->RunDeadlines() == 0);
  auto v1 = env.reg->GetVoucher(a1.voucher_code);
  CHECK(v1->state == "expired");
  CHECK(v1->reason == "year-end");
  CHECK(env.reg->GetVoucher(a2.voucher_code)->state == "expired");
  for (const auto& a : {a3, a4}) {
    auto app = env.reg->GetApplication(a.id);
    CHECK(app->state == "lapsed");
    CHECK(app->reason == "year-end");
    CHECK_FALSE(app->queue_position);
  }
  auto counter = env.reg->Counter(2026);
  CHECK(counter->queue_length == 0);
  CHECK_FALSE(counter->open);
  CHECK(env.Messages("lapsed").size() == 2);
  CHECK(env.Messages("expired").size() == 2);
  // Nothing moves after the year end.
  CHECK(env.reg->Annul(a1.voucher_code, "operator-decision", "").slug() == "voucher.state");
  CHECK(env.reg->Withdraw(a3.id).slug() == "application.state");
  auto y = VoucherEnv::Year(2026, 10);
  CHECK(env.reg->ConfigureYear(y).slug() == "year.closed");
  CHECK(ReplayLedger(env.Entries()) == 2);
}

TEST_CASE("vouchers: deadlines and the year end with more records than one transaction takes",
          "[registry][vouchers]") {
  VoucherEnv env(250);
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 16; ++t) {
    pool.emplace_back([&] {
      for (int i; (i = next.fetch_add(1)) < 1400;) {
        // (Catch's assertions are for the main thread: counted, checked below.)
        if (!env.reg->Apply(VoucherEnv::Person(i + 1), "").ok()) ++failed;
      }
    });
  }
  for (auto& t : pool) t.join();
  REQUIRE(failed == 0);
  CHECK(env.reg->Counter(2026)->queue_length == 1150);
  // 30 days on, 250 overdue vouchers (annulled 200 per transaction): each
  // freed slot is refilled from the queue, whose new vouchers are not yet due.
  env.clock.Advance(30LL * 86400000);
  CHECK(*env.reg->RunDeadlines() == 250);
  CHECK(*env.reg->RunDeadlines() == 0);
  auto counter = env.reg->Counter(2026);
  CHECK(counter->queue_length == 900);
  CHECK(counter->active == 250);
  CHECK(counter->issued == 500);
  // The year end: 250 vouchers expire and 900 applications lapse (1,000 per transaction).
  env.clock.Set(T("2026-12-31T21:00:00Z"));
  CHECK(*env.reg->RunDeadlines() == 1150);
  CHECK(*env.reg->RunDeadlines() == 0);
  CHECK(env.reg->Counter(2026)->queue_length == 0);
  CHECK(ReplayLedger(env.Entries()) == 500);
}

TEST_CASE("vouchers: nothing personal in the ledger, the database or the logs' inputs",
          "[registry][vouchers]") {
  VoucherEnv env(1);
  auto a1 = env.Apply(1);
  env.Apply(2);
  REQUIRE(env.reg->Annul(a1.voucher_code, "operator-decision", "").ok());
  const auto p = VoucherEnv::Person(2);
  std::string all_entries;
  for (int64_t i = 0;; ++i) {
    auto e = env.reg->ledger().Entry(i);
    if (!e.ok()) break;
    all_entries += *e;
  }
  std::string db = testing::ReadFile(env.dir.path() / "registry.db");
  std::string wal;
  if (std::filesystem::exists(env.dir.path() / "registry.db-wal")) {
    wal = testing::ReadFile(env.dir.path() / "registry.db-wal");
  }
  // The operator can open it.
  auto data = env.reg->ApplicantData(a1.id);
  REQUIRE(data.ok());
  CHECK(data->full_name == "Заявитель Номер 1");
  CHECK(data->email == "person1@example.ru");
  CHECK(data->snils == VoucherEnv::Person(1).snils);
  CHECK(data->birth_date == "1990-05-10");
  CHECK(env.reg->ApplicantData("nope").status().slug() == "application.unknown");
  for (const std::string& secret :
       {p.full_name, p.email, p.snils, p.phone, std::string("1990-05-10")}) {
    INFO(secret);
    CHECK(all_entries.find(secret) == std::string::npos);
    CHECK(db.find(secret) == std::string::npos);
    CHECK(wal.find(secret) == std::string::npos);
  }
}

TEST_CASE("outbox: messages render in ru and en, are read with their recipient, marked sent",
          "[registry][vouchers]") {
  VoucherEnv env;
  auto a = env.Apply(7);
  REQUIRE(env.reg->SendLoginCode(a.id).ok());
  CHECK(env.reg->SendLoginCode("nope").slug() == "application.unknown");
  CHECK(internal::RenderOutboxMessage("login-code", Json::object()).status().slug() ==
        "outbox.kind");
  CHECK(internal::RenderOutboxMessage("spam", Json::object()).status().slug() == "outbox.kind");
  auto login = env.Messages("login-code");
  REQUIRE(login.size() == 1);
  CHECK(login[0].recipient == "person7@example.ru");
  const std::string code = LoginCodeIn(login[0]);
  CHECK(login[0].subject == "Код входа / Sign-in code: " + code);
  CHECK(login[0].body.find("Ваш код для входа: " + code) != std::string::npos);
  CHECK(login[0].body.find("Your sign-in code: " + code) != std::string::npos);
  CHECK(env.reg->RedeemLoginCode(a.id, code).ok());
  auto unsent = env.reg->UnsentOutbox(10);
  REQUIRE(unsent->size() == 2);
  REQUIRE(env.reg->MarkSent((*unsent)[0].id).ok());
  REQUIRE(env.reg->MarkSent((*unsent)[0].id).ok());
  CHECK(env.reg->MarkSent(999).slug() == "outbox.unknown");
  CHECK(env.reg->UnsentOutbox(10)->size() == 1);
  auto after = env.reg->Outbox((*unsent)[0].id, 10);
  REQUIRE(after->size() == 1);
  CHECK(env.reg->Outbox(0, 10)->at(0).sent_ms.has_value());
  CHECK(env.reg->Outbox(0, 0).status().slug() == "outbox.limit");
}

// Outbox bodies hold sign-in codes (whoever reads them signs in as the
// applicant), voucher codes and annulment reasons: sealed at rest
// (registry/internal/outbox.h), never in the file, the WAL or a backup.
// Each search below is of text that only a rendered message holds, so each
// fails on schema 5, which stored subject and body in clear: "sign-in code:
// <code>" (login_codes keeps a keyed hash only), "Voucher issued: <code>"
// (the voucher code alone is in clear by design: it is the public id of
// <base>/v/<code>), "Reason: <text>" (the table `vouchers` keeps
// "<reason code>: <text>"). The e-mail was never copied to the outbox; it is
// searched to keep it so.
TEST_CASE("outbox: messages are sealed at rest, the operator reads them opened",
          "[registry][vouchers][privacy]") {
  VoucherEnv env(1);
  auto a1 = env.Apply(1);
  auto a2 = env.Apply(2);  // queued: promoted when a1's voucher is annulled
  REQUIRE(env.reg->SendLoginCode(a1.id).ok());
  const std::string reason = "Diploma forged per letter Zq-4471";
  REQUIRE(env.reg->Annul(a1.voucher_code, "operator-decision", reason).ok());
  auto promoted = env.Messages("promoted");
  REQUIRE(promoted.size() == 1);
  const std::string code2 = env.reg->GetApplication(a2.id)->voucher_code;
  REQUIRE(!code2.empty());
  const std::string login = LoginCodeIn(env.Messages("login-code").at(0));

  // The operator reads every message opened, as before.
  auto annulled = env.Messages("annulled");
  REQUIRE(annulled.size() == 1);
  CHECK(annulled[0].recipient == "person1@example.ru");
  CHECK(annulled[0].subject == "Сертификат аннулирован / Voucher annulled: " + a1.voucher_code);
  CHECK(annulled[0].body.find("Reason: " + reason + ".") != std::string::npos);
  CHECK(promoted[0].recipient == "person2@example.ru");
  CHECK(promoted[0].subject == "Сертификат выдан / Voucher issued: " + code2);
  CHECK(env.Messages("voucher-issued").at(0).body.find(a1.voucher_code) != std::string::npos);
  CHECK(env.Messages("queued").size() == 1);

  // Nothing of it in the stored bytes.
  const std::string stored = StoredBytes(env.dir.path());
  REQUIRE(stored.find(a1.id) != std::string::npos);  // the search finds what is in clear
  for (const std::string& clear :
       {"sign-in code: " + login, "Ваш код для входа: " + login, "Voucher issued: " + code2,
        "Voucher issued: " + a1.voucher_code, "Voucher annulled: " + a1.voucher_code,
        "Reason: " + reason, "Причина: " + reason, std::string("person1@example.ru"),
        std::string("person2@example.ru"), std::string("Application queued"),
        std::string("Sign-in code")}) {
    INFO(clear);
    CHECK(stored.find(clear) == std::string::npos);
  }
  // Row by row: the clear columns are empty, the sealed one opens only
  // under its own row's associated data (a blob moved to another row fails).
  std::vector<std::pair<int64_t, std::string>> sealed;
  REQUIRE(env.reg->db()
              .Read([&](internal::Conn& c) -> Status {
                auto& q = c.Prepare("SELECT id, subject, body, sealed FROM outbox ORDER BY id");
                while (q.executeStep()) {
                  CHECK(q.getColumn(1).getString().empty());
                  CHECK(q.getColumn(2).getString().empty());
                  sealed.emplace_back(q.getColumn(0).getInt64(), internal::Blob(q.getColumn(3)));
                }
                return Status::Ok();
              })
              .ok());
  REQUIRE(sealed.size() == 5);  // voucher-issued, queued, login-code, annulled, promoted
  REQUIRE(env.reg->db()
              .Write([&](internal::Conn& c) -> Status {
                auto& u = c.Prepare("UPDATE outbox SET sealed = ? WHERE id = ?");
                u.bind(1, sealed[2].second.data(), static_cast<int>(sealed[2].second.size()));
                u.bind(2, sealed[3].first);
                u.exec();
                return Status::Ok();
              })
              .ok());
  CHECK(env.reg->Outbox(0, 10).status().IsDataLoss());
}

// A database written before schema 6 (outbox subject and body in clear) is
// sealed when opened: the same messages read back, and no clear copy is left
// in the file, its free pages or the WAL.
TEST_CASE("outbox: a schema 5 database is sealed on open", "[registry][vouchers][privacy]") {
  VoucherEnv env(1);
  auto a1 = env.Apply(1);
  env.Apply(2);
  REQUIRE(env.reg->SendLoginCode(a1.id).ok());
  const std::string reason = "Diploma forged per letter Zq-4471";
  REQUIRE(env.reg->Annul(a1.voucher_code, "operator-decision", reason).ok());
  auto before = env.reg->Outbox(0, 1000);
  REQUIRE(before.ok());
  REQUIRE(before->size() == 5);
  REQUIRE(env.reg->MarkSent(before->at(0).id).ok());
  before = env.reg->Outbox(0, 1000);
  const std::string login = LoginCodeIn(env.Messages("login-code").at(0));
  env.reg.reset();

  // Back to schema 5, as its certledger wrote the rows (the history of an
  // old file's pages included: secure_delete off).
  const auto file = env.dir.path() / "registry.db";
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA secure_delete = OFF");
    db.exec("DROP INDEX outbox_clear");
    db.exec("ALTER TABLE outbox DROP COLUMN sealed");
    // What schema 7 added (tests/registry/at_rest_test.cc).
    db.exec("DROP INDEX idempotency_clear");
    db.exec("DROP INDEX certificates_clear");
    db.exec("ALTER TABLE idempotency DROP COLUMN sealed");
    db.exec("ALTER TABLE certificates DROP COLUMN identity_code");
    SQLite::Statement u(db, "UPDATE outbox SET subject = ?, body = ? WHERE id = ?");
    for (const auto& m : *before) {
      u.bind(1, m.subject);
      u.bind(2, m.body);
      u.bind(3, m.id);
      u.exec();
      u.reset();
    }
    db.exec("PRAGMA user_version = 5");
  }
  // The search finds the clear text in the old file.
  REQUIRE(StoredBytes(env.dir.path()).find("Reason: " + reason) != std::string::npos);
  REQUIRE(StoredBytes(env.dir.path()).find("sign-in code: " + login) != std::string::npos);

  RegistryOptions ro;
  ro.data_dir = env.dir.path().string();
  ro.ledger.background = false;
  auto reopened = Registry::Open(ro, env.clock);
  INFO(reopened.status().ToString());
  REQUIRE(reopened.ok());
  env.reg = std::move(*reopened);
  auto after = env.reg->Outbox(0, 1000);
  REQUIRE(after.ok());
  REQUIRE(after->size() == before->size());
  for (size_t i = 0; i < after->size(); ++i) {
    const auto &b = before->at(i), &a = after->at(i);
    CHECK(a.id == b.id);
    CHECK(a.kind == b.kind);
    CHECK(a.subject == b.subject);
    CHECK(a.body == b.body);
    CHECK(a.recipient == b.recipient);
    CHECK(a.sent_ms == b.sent_ms);
  }
  CHECK(env.reg->UnsentOutbox(10)->size() == 4);
  const std::string stored = StoredBytes(env.dir.path());
  for (const std::string& clear :
       {"sign-in code: " + login, "Voucher annulled: " + a1.voucher_code, "Reason: " + reason,
        "Причина: " + reason, std::string("Application queued"), std::string("Sign-in code")}) {
    INFO(clear);
    CHECK(stored.find(clear) == std::string::npos);
  }
  REQUIRE(env.reg->db()
              .Read([&](internal::Conn& c) -> Status {
                CHECK(c.db().execAndGet("PRAGMA user_version").getInt() == 7);
                CHECK(c.db()
                          .execAndGet("SELECT count(*) FROM outbox WHERE sealed IS NULL OR "
                                      "subject != '' OR body != ''")
                          .getInt() == 0);
                CHECK(c.db()
                          .execAndGet("SELECT count(*) FROM meta WHERE key = 'outbox_vacuum'")
                          .getInt() == 0);
                return Status::Ok();
              })
              .ok());
  // New messages go on sealed after the upgraded ones.
  REQUIRE(env.reg->SendLoginCode(a1.id).ok());
  CHECK(env.Messages("login-code").size() == 2);
}

TEST_CASE("queue: 64 threads, 20,000 applications with duplicates, quota 5,000, annulments",
          "[registry][vouchers][concurrency]") {
  constexpr int kThreads = 64;
  constexpr int kApplications = 20000;
  constexpr int kDuplicates = 2000;  // repeat applications of earlier people
  constexpr int64_t kQuota = 5000;
  VoucherEnv env(kQuota);
  // Person ids: 18,000 distinct people, and 2,000 second applications.
  std::vector<int64_t> people;
  for (int i = 0; i < kApplications - kDuplicates; ++i) people.push_back(i + 1);
  for (int i = 0; i < kDuplicates; ++i) people.push_back(i * 7 % (kApplications - kDuplicates) + 1);
  std::shuffle(people.begin(), people.end(), std::mt19937(42));

  std::mutex mu;
  std::vector<ApplicationView> acked;       // GUARDED_BY(mu)
  std::map<int64_t, int> acked_per_person;  // GUARDED_BY(mu)
  std::vector<std::string> codes;           // GUARDED_BY(mu)
  std::atomic<int> next{0}, duplicates{0}, other_errors{0};
  std::atomic<bool> done{false}, over_quota{false};
  std::atomic<int> annulled{0};

  auto worker = [&] {
    for (;;) {
      int i = next.fetch_add(1);
      if (i >= kApplications) return;
      const int64_t person = people[static_cast<size_t>(i)];
      auto r = env.reg->Apply(VoucherEnv::Person(person), "req-" + std::to_string(i));
      if (r.ok() && r->application) {
        std::lock_guard<std::mutex> lk(mu);
        acked.push_back(*r->application);
        ++acked_per_person[person];
        if (!r->application->voucher_code.empty()) codes.push_back(r->application->voucher_code);
      } else if (r.status().slug() == "application.duplicate") {
        ++duplicates;
      } else {
        ++other_errors;
      }
    }
  };
  // Annuls random vouchers while applications arrive.
  std::thread annuller([&] {
    std::mt19937 rng(7);
    while (!done.load() && annulled.load() < 1500) {
      std::string code;
      {
        std::lock_guard<std::mutex> lk(mu);
        if (!codes.empty()) {
          size_t k = rng() % codes.size();
          code = codes[k];
          codes.erase(codes.begin() + static_cast<long>(k));
        }
      }
      if (!code.empty() && env.reg->Annul(code, "operator-decision", "").ok()) ++annulled;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  // Watches the public counter.
  std::thread watcher([&] {
    while (!done.load()) {
      auto c = env.reg->Counter(2026);
      if (c.ok() && c->active > c->quota) over_quota = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  done = true;
  annuller.join();
  watcher.join();

  CHECK(other_errors.load() == 0);
  CHECK_FALSE(over_quota.load());
  CHECK(duplicates.load() == kDuplicates);
  CHECK(acked.size() == static_cast<size_t>(kApplications - kDuplicates));
  for (const auto& [person, n] : acked_per_person) REQUIRE(n == 1);
  CHECK(annulled.load() > 0);
  // Every acknowledged application is there; no person holds two vouchers.
  std::set<std::string> voucher_apps;
  for (const auto& a : acked) {
    auto got = env.reg->GetApplication(a.id);
    REQUIRE(got.ok());
    REQUIRE(got->arrival_seq == a.arrival_seq);
  }
  auto counter = env.reg->Counter(2026);
  REQUIRE(counter.ok());
  CHECK(counter->active == kQuota);  // the queue refilled every freed slot
  CHECK(counter->issued == kQuota + annulled.load());
  CHECK(counter->queue_length == kApplications - kDuplicates - counter->issued);
  auto vouchers = env.reg->VouchersOfIssuer("demo");
  REQUIRE(vouchers.ok());
  for (const auto& v : *vouchers) REQUIRE(voucher_apps.insert(v.application_id).second);
  CHECK(static_cast<int64_t>(vouchers->size()) == counter->issued);
  // The public ledger alone replays the year: quota never exceeded, FIFO kept.
  CHECK(ReplayLedger(env.Entries()) == counter->issued);
}

}  // namespace
}  // namespace certledger::registry
