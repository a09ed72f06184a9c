// Tests verifier/audit.cc (`certverify audit`) against real ledgers served by
// a real static web server (python3 -m http.server on 127.0.0.1): a registry
// driven through the registry library and the certledger binary, and broken
// ledgers built here entry by entry in the registry's exact entry format
// (registry::EncodeEntry), tiled and signed with crypto/ (C2SP tlog-tiles,
// tlog-checkpoint, signed-note).
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "crypto/checkpoint.h"
#include "crypto/ed25519.h"
#include "crypto/merkle.h"
#include "crypto/rfc3339.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_tiles.h"
#include "registry/clock.h"
#include "registry/eligibility.h"
#include "registry/ledger/entry.h"
#include "registry/registry.h"
#include "tests/test_util.h"
#include "tests/verifier/fixture.h"
#include "verifier/audit.h"
#include "verifier/cli.h"
#include "verifier/trust_source.h"

extern char** environ;

namespace certledger::verifier {
namespace {

namespace fs = std::filesystem;
using registry::LedgerEvent;

using fixture::T;

// `python3 -m http.server` serving `root` on a free port of 127.0.0.1.
class StaticServer {
 public:
  explicit StaticServer(const fs::path& root) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    close(s);
    std::string port = std::to_string(port_), dir = root.string();
    std::vector<std::string> args = {"python3",   "-m",          "http.server", "--bind",
                                     "127.0.0.1", "--directory", dir,           port};
    std::vector<char*> argv;
    for (auto& x : args) argv.push_back(x.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    REQUIRE(posix_spawnp(&pid_, "python3", &fa, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    // Ready when it accepts a connection.
    for (int i = 0; i < 200; ++i) {
      int c = socket(AF_INET, SOCK_STREAM, 0);
      bool ok = connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      close(c);
      if (ok) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("python3 -m http.server did not start");
  }
  ~StaticServer() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = 0;
  int port_ = 0;
};

AuditReport RunAudit(const std::string& url, const fs::path& state, const std::string& key = "") {
  auto fetcher = NewHttpFetcher();
  AuditOptions o;
  o.base_url = url;
  o.state_dir = state.string();
  o.ledger_key = key;
  auto r = Audit(*fetcher, o);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

bool Has(const AuditReport& r, const std::string& code, const std::string& where = "") {
  for (const auto& p : r.problems) {
    if (p.code == code && (where.empty() || p.where.find(where) != std::string::npos)) return true;
  }
  return false;
}

std::string Problems(const AuditReport& r) { return AuditReportToText(r, Lang::kEn); }

const YearAudit* FindYear(const AuditReport& r, int year) {
  for (const auto& y : r.years) {
    if (y.year == year) return &y;
  }
  return nullptr;
}

// Flips one byte of a file.
void Flip(const fs::path& p, size_t at) {
  std::string d = testing::ReadFile(p);
  REQUIRE(at < d.size());
  d[at] = static_cast<char>(d[at] ^ 0x01);
  testing::WriteFile(p, d);
}

// The single file under `dir` whose path starts with `prefix` (e.g. the one
// partial level-0 tile).
fs::path FindTile(const fs::path& ledger, const std::string& prefix) {
  for (const auto& e : fs::recursive_directory_iterator(ledger)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), ledger).string();
    if (rel.rfind(prefix, 0) == 0) return e.path();
  }
  FAIL("no tile " << prefix << " under " << ledger);
  return {};
}

// A ledger built by hand: entries in the registry's format, tiles and a
// signed checkpoint written as `certledger ledger export` does.
class LedgerBuilder {
 public:
  explicit LedgerBuilder(std::shared_ptr<crypto::Ed25519Signer> key = nullptr)
      : key_(key ? std::move(key)
                 : std::shared_ptr<crypto::Ed25519Signer>(crypto::Ed25519Signer::Generate())) {}

  static constexpr const char* kOrigin = "cert.example.ru/ledger";
  static constexpr const char* kOperator = "did:web:cert.example.ru:issuers:operator";

  const std::shared_ptr<crypto::Ed25519Signer>& key() const { return key_; }
  std::string VerifierKey() const {
    auto ns = crypto::NoteSigner::Create(kOrigin, key_.get());
    return crypto::FormatVerifierKey(*ns->Verifier());
  }

  void Add(const std::string& type, const std::string& id, Json fields,
           const std::string& issuer = kOperator) {
    LedgerEvent e{type, id, issuer, "sha256:" + std::string(64, 'a'), time_ms_, std::move(fields)};
    time_ms_ += 1000;
    auto bytes = registry::EncodeEntry(e);
    INFO(bytes.status().ToString());
    REQUIRE(bytes.ok());
    entries_.push_back(*bytes);
  }
  void Year(int year, int64_t quota) {
    Add("year.configured", "urn:certledger:year:" + std::to_string(year),
        {{"year", year},
         {"quota", quota},
         {"opensAt", std::to_string(year) + "-01-15T09:00:00+03:00"},
         {"closesAt", std::to_string(year + 1) + "-01-01T00:00:00+03:00"},
         {"timeZone", "Europe/Moscow"}});
  }
  void Queued(int64_t seq) {
    Add("application.queued", App(seq),
        {{"application", App(seq)}, {"year", 2026}, {"queueSeq", seq}});
  }
  void Issued(int64_t seq, bool from_queue) {
    Json f = {{"application", App(seq)},
              {"year", 2026},
              {"queueSeq", seq},
              {"validUntil", "2026-12-31T23:59:59.999+03:00"},
              {"statusList", "https://cert.example.ru/status/operator/1"}};
    if (from_queue) f["servedSeq"] = seq;
    Add("voucher.issued", Voucher(seq), f);
  }
  void Annulled(int64_t seq) {
    Add("voucher.annulled", Voucher(seq),
        {{"application", App(seq)},
         {"year", 2026},
         {"reason", "documents-late"},
         {"slotFreed", true}});
  }
  static std::string App(int64_t seq) { return "app-" + std::to_string(seq); }
  static std::string Voucher(int64_t seq) {
    return registry::SubjectIdFor("https://cert.example.ru/v/VOUCHER-" + std::to_string(seq));
  }
  size_t size() const { return entries_.size(); }

  // Writes <dir>/tile/..., <dir>/checkpoint and <dir>/key for the first
  // `size` entries (all by default).
  void Export(const fs::path& dir, int64_t size = -1) const {
    if (size < 0) size = static_cast<int64_t>(entries_.size());
    crypto::InMemoryHashStore store;
    for (int64_t i = 0; i < size; ++i) store.AppendLeafHash(crypto::LeafHash(entries_[i]));
    for (const crypto::Tile& t : crypto::TilesForSize(size)) {
      std::string data;
      if (t.is_entries()) {
        auto first = entries_.begin() + t.n * crypto::kTileWidth;
        std::vector<std::string> slice(first, first + t.width);
        data = *crypto::EncodeEntryBundle(slice);
      } else {
        data = *crypto::ReadTileData(t, store);
      }
      fs::create_directories((dir / crypto::TilePath(t)).parent_path());
      testing::WriteFile(dir / crypto::TilePath(t), data);
    }
    crypto::Checkpoint cp{kOrigin, size, *crypto::TreeHash(size, store), {}};
    auto ns = crypto::NoteSigner::Create(kOrigin, key_.get());
    REQUIRE(ns.ok());
    auto note = crypto::SignNote(*crypto::FormatCheckpoint(cp), *ns);
    REQUIRE(note.ok());
    testing::WriteFile(dir / "checkpoint", *note);
    testing::WriteFile(dir / "key", VerifierKey() + "\n");
  }

 private:
  std::shared_ptr<crypto::Ed25519Signer> key_;
  std::vector<std::string> entries_;
  int64_t time_ms_ = T("2026-06-30T09:00:00Z");
};

// `b` exported to a new site, served statically, and audited with a new state
// directory and its key pinned.
AuditReport AuditFresh(const LedgerBuilder& b) {
  testing::TempDir site, state;
  b.Export(site.path() / "ledger");
  StaticServer server(site.path());
  return RunAudit(server.Url(), state.path(), b.VerifierKey());
}

// --- a registry driven through the registry library -----------------------

std::string Snils(int64_t n) {
  std::string d = std::to_string(n);
  d = std::string(9 - d.size(), '0') + d;
  int s = 0;
  for (int i = 0; i < 9; ++i) s += (d[i] - '0') * (9 - i);
  int control = s < 100 ? s : (s == 100 || s == 101) ? 0 : s % 101 % 100;
  return d + static_cast<char>('0' + control / 10) + static_cast<char>('0' + control % 10);
}

struct RegistryEnv {
  testing::TempDir dir;
  registry::ManualClock clock{T("2026-06-30T09:00:00Z")};
  std::unique_ptr<registry::Registry> reg;

  explicit RegistryEnv(int64_t quota) {
    registry::InitOptions io;
    io.data_dir = (dir.path() / "data").string();
    io.base_url = "https://cert.example.ru";
    REQUIRE(registry::Registry::Init(io, clock).ok());
    registry::RegistryOptions ro;
    ro.data_dir = io.data_dir;
    ro.ledger.background = false;
    ro.ledger.max_pending = int64_t{1} << 30;
    reg = std::move(*registry::Registry::Open(ro, clock));
    REQUIRE(
        reg->RegisterIssuer({"demo", "provider", "АНО ДПО «Цифровая академия»", "Digital Academy",
                             "7707083893", "Л035-01298-77/00179876", "2021-03-15"})
            .ok());
    registry::ProgrammeInput p{"demo",
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
    REQUIRE(reg->ConfigureYear(Year(quota)).ok());
  }

  static registry::YearConfigInput Year(int64_t quota) {
    registry::YearConfigInput y;
    y.year = 2026;
    y.quota = quota;
    y.opens_at = "2026-01-15T09:00:00+03:00";
    y.regions = {"77", "50", "16"};
    y.education_levels = registry::DefaultEducationLevels();
    y.document_deadline_days = 30;
    return y;
  }

  registry::ApplicationView Apply(int64_t n) {
    registry::ApplicationInput in;
    in.full_name = "Заявитель Номер " + std::to_string(n);
    in.birth_date = "1990-05-10";
    in.sex = n % 2 ? "male" : "female";
    in.citizenship = "RU";
    in.education_level = "higher-bachelor";
    in.region_code = "77";
    in.registration_type = "permanent";
    in.email = "person" + std::to_string(n) + "@example.ru";
    in.phone = "+7 900 " + std::to_string(1000000 + n);
    in.snils = Snils(100000000 + n);
    in.issuer = "demo";
    in.programme = "DA-101";
    auto r = reg->Apply(in, "");
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(r->application);
    return *r->application;
  }

  void Export(const fs::path& root) {
    auto n = reg->ledger().Export((root / "ledger").string());
    REQUIRE(n.ok());
    testing::WriteFile(root / "ledger" / "key", reg->ledger().VerifierKey() + "\n");
  }
};

TEST_CASE(
    "audit: a healthy registry passes and a later run after more entries uses the stored state",
    "[verifier][audit]") {
  RegistryEnv env(100);
  std::vector<registry::ApplicationView> apps;
  for (int64_t n = 1; n <= 300; ++n) apps.push_back(env.Apply(n));
  REQUIRE(!apps[0].voucher_code.empty());
  REQUIRE(apps[150].state == "queued");
  // An annulment frees a slot for the head of the queue; a queued applicant withdraws.
  REQUIRE(env.reg->Annul(apps[0].voucher_code, "documents-late", "").ok());
  REQUIRE(env.reg->Withdraw(apps[150].id).ok());
  testing::TempDir site, state;
  env.Export(site.path());
  StaticServer server(site.path());

  AuditReport first = RunAudit(server.Url(), state.path());
  INFO(Problems(first));
  CHECK(first.ExitCode() == 0);
  CHECK(first.problems.empty());
  CHECK(first.state_saved);
  CHECK(first.key_source == "first-use");
  CHECK(first.origin == "cert.example.ru/ledger");
  CHECK(first.previous_size == -1);
  CHECK(first.entries == first.tree_size);
  const YearAudit* y = FindYear(first, 2026);
  REQUIRE(y != nullptr);
  CHECK(y->quota == 100);
  CHECK(y->issued == 101);
  CHECK(y->issued_from_queue == 1);
  CHECK(y->holding == 100);
  CHECK(y->max_holding == 100);
  CHECK(y->waiting == 198);
  CHECK(y->lapsed == 1);
  const std::string op = env.reg->IssuerDid("operator");
  REQUIRE(first.revocations.count(op) == 1);
  CHECK(first.revocations.at(op).size() == 1);
  CHECK(first.revocations.at(op)[0].reason == "documents-late");
  CHECK(fs::exists(state.path() / "checkpoint"));
  CHECK(fs::exists(state.path() / "ledger-key"));

  // More entries: a larger quota serves the queue in order; more arrivals.
  REQUIRE(env.reg->ConfigureYear(RegistryEnv::Year(130)).ok());
  for (int64_t n = 301; n <= 420; ++n) env.Apply(n);
  env.Export(site.path());
  AuditReport second = RunAudit(server.Url(), state.path());
  INFO(Problems(second));
  CHECK(second.ExitCode() == 0);
  CHECK(second.key_source == "state");
  CHECK(second.previous_size == first.tree_size);
  CHECK(second.tree_size > first.tree_size);
  CHECK(second.tiles_mirrored > 0);  // the full tiles of the first run come from the state
  y = FindYear(second, 2026);
  REQUIRE(y != nullptr);
  CHECK(y->quota == 130);
  CHECK(y->holding == 130);
  CHECK(y->issued_from_queue == 31);

  // The same checkpoint again: still consistent.
  CHECK(RunAudit(server.Url(), state.path()).ExitCode() == 0);
}

TEST_CASE("audit: enrolment, late documents, withdrawal and the year end replay cleanly",
          "[verifier][audit]") {
  RegistryEnv env(4);
  std::vector<registry::ApplicationView> apps;
  for (int64_t n = 1; n <= 10; ++n) apps.push_back(env.Apply(n));
  REQUIRE(env.reg->Enrol("demo", apps[0].voucher_code, "group-1", "2026-07-01").ok());
  REQUIRE(env.reg->Withdraw(apps[1].id).ok());  // a voucher handed back: #5 promoted
  env.clock.Advance(int64_t{31} * 86'400'000);
  auto late = env.reg->RunDeadlines();  // unenrolled vouchers annulled, the queue served
  REQUIRE(late.ok());
  CHECK(*late > 0);
  env.clock.Set(T("2027-01-01T00:00:00+03:00"));
  REQUIRE(env.reg->RunDeadlines().ok());  // the year ends: expiries and lapses
  testing::TempDir site, state;
  env.Export(site.path());
  StaticServer server(site.path());
  AuditReport r = RunAudit(server.Url(), state.path());
  INFO(Problems(r));
  CHECK(r.ExitCode() == 0);
  CHECK(r.entry_types["voucher.expired"] > 0);
  CHECK(r.entry_types["application.lapsed"] > 0);
  CHECK(r.entry_types["voucher.annulled"] > 0);
  const YearAudit* y = FindYear(r, 2026);
  REQUIRE(y != nullptr);
  CHECK(y->waiting == 0);
  CHECK(y->max_holding == 4);
}

TEST_CASE("audit: altered tiles are named (a hash tile and an entry bundle)", "[verifier][audit]") {
  RegistryEnv env(3);
  for (int64_t n = 1; n <= 8; ++n) env.Apply(n);
  testing::TempDir site;
  env.Export(site.path());
  StaticServer server(site.path());
  {
    testing::TempDir state;
    CHECK(RunAudit(server.Url(), state.path()).ExitCode() == 0);
  }
  const fs::path ledger = site.path() / "ledger";
  SECTION("a byte of a hash tile") {
    fs::path tile = FindTile(ledger, "tile/0/");
    Flip(tile, 40);
    testing::TempDir state;
    AuditReport r = RunAudit(server.Url(), state.path());
    INFO(Problems(r));
    CHECK(r.ExitCode() == 1);
    CHECK(Has(r, "audit.tile-mismatch", fs::relative(tile, ledger).string()));
    CHECK_FALSE(r.state_saved);
    CHECK_FALSE(fs::exists(state.path() / "checkpoint"));
  }
  SECTION("a byte of an entry bundle") {
    fs::path bundle = FindTile(ledger, "tile/entries/");
    std::string d = testing::ReadFile(bundle);
    size_t at = d.find("sha256:") + 8;  // a hex digit of a digest: still valid JSON
    d[at] = d[at] == '0' ? '1' : '0';
    testing::WriteFile(bundle, d);
    testing::TempDir state;
    AuditReport r = RunAudit(server.Url(), state.path());
    INFO(Problems(r));
    CHECK(r.ExitCode() == 1);
    CHECK(Has(r, "audit.tile-mismatch", fs::relative(bundle, ledger).string()));
    CHECK(Has(r, "audit.root-mismatch"));
    CHECK_FALSE(Has(r, "audit.tile-mismatch", "tile/0/"));  // the hash tiles are right
  }
}

TEST_CASE("audit: a hand-built healthy ledger passes and lists revocations per issuer",
          "[verifier][audit]") {
  LedgerBuilder b;
  b.Year(2026, 2);
  b.Issued(1, false);
  b.Issued(2, false);
  b.Queued(3);
  b.Queued(4);
  b.Annulled(1);
  b.Issued(3, true);
  b.Add("certificate.revoked", "sha256:" + std::string(64, '1'),
        {{"reason", "fraud"}, {"statusList", "https://cert.example.ru/status/demo/1"}},
        "did:web:cert.example.ru:issuers:demo");
  b.Add("certificate.revoked", "sha256:" + std::string(64, '2'),
        {{"reason", "error"}, {"statusList", "https://cert.example.ru/status/uni/1"}},
        "did:web:cert.example.ru:issuers:uni");
  b.Add("certificate.revoked", "sha256:" + std::string(64, '3'),
        {{"reason", "duplicate"}, {"statusList", "https://cert.example.ru/status/demo/1"}},
        "did:web:cert.example.ru:issuers:demo");
  AuditReport r = AuditFresh(b);
  INFO(Problems(r));
  CHECK(r.ExitCode() == 0);
  CHECK(r.key_source == "pinned");
  const auto& demo = r.revocations["did:web:cert.example.ru:issuers:demo"];
  REQUIRE(demo.size() == 2);
  CHECK(demo[0].reason == "fraud");
  CHECK(demo[1].reason == "duplicate");
  CHECK(demo[1].id == "sha256:" + std::string(64, '3'));
  CHECK(r.revocations["did:web:cert.example.ru:issuers:uni"].size() == 1);
  CHECK(r.revocations[LedgerBuilder::kOperator].size() == 1);  // the annulment
  Json j = AuditReportToJson(r);
  CHECK(j["result"] == "consistent");
  CHECK(j["years"][0]["issuedFromQueue"] == 1);
}

TEST_CASE("audit: slots over the quota are audit.quota-exceeded", "[verifier][audit]") {
  LedgerBuilder b;
  b.Year(2026, 2);
  b.Issued(1, false);
  b.Issued(2, false);
  b.Issued(3, false);  // the third voucher with a quota of 2
  AuditReport r = AuditFresh(b);
  INFO(Problems(r));
  CHECK(r.ExitCode() == 1);
  CHECK(Has(r, "audit.quota-exceeded", "entry 3"));
  CHECK_FALSE(r.state_saved);
}

TEST_CASE("audit: a queue served out of arrival order is audit.queue-order", "[verifier][audit]") {
  LedgerBuilder b;
  b.Year(2026, 1);
  b.Issued(1, false);
  b.Queued(2);
  b.Queued(3);
  SECTION("a later arrival promoted first") {
    b.Annulled(1);
    b.Issued(3, true);  // #2 waited longer
    AuditReport r = AuditFresh(b);
    INFO(Problems(r));
    CHECK(r.ExitCode() == 1);
    CHECK(Has(r, "audit.queue-order", "entry 5"));
  }
  SECTION("a new arrival served at once while others wait") {
    b.Annulled(1);
    b.Issued(4, false);
    AuditReport r = AuditFresh(b);
    INFO(Problems(r));
    CHECK(r.ExitCode() == 1);
    CHECK(Has(r, "audit.queue-order", "entry 5"));
  }
}

TEST_CASE("audit: a checkpoint of another tree is a fork and another key is named",
          "[verifier][audit]") {
  LedgerBuilder a;
  a.Year(2026, 5);
  for (int64_t i = 1; i <= 4; ++i) a.Issued(i, false);
  testing::TempDir site, state;
  const fs::path ledger = site.path() / "ledger";
  a.Export(ledger, 3);
  StaticServer server(site.path());
  AuditReport first = RunAudit(server.Url(), state.path());
  INFO(Problems(first));
  REQUIRE(first.ExitCode() == 0);
  REQUIRE(first.key_source == "first-use");

  SECTION("a properly signed larger tree that does not extend the old one") {
    LedgerBuilder b(a.key());  // the same ledger key
    b.Year(2026, 6);           // a different history
    for (int64_t i = 1; i <= 4; ++i) b.Issued(i, false);
    fs::remove_all(ledger);
    b.Export(ledger);
    AuditReport r = RunAudit(server.Url(), state.path());
    INFO(Problems(r));
    CHECK(r.ExitCode() == 1);
    CHECK(Has(r, "audit.checkpoint-inconsistent"));
    CHECK_FALSE(Has(r, "audit.bad-signature"));
  }
  SECTION("the same size with another root") {
    LedgerBuilder b(a.key());
    b.Year(2026, 7);
    b.Issued(1, false);
    b.Issued(2, false);
    fs::remove_all(ledger);
    b.Export(ledger);
    AuditReport r = RunAudit(server.Url(), state.path());
    INFO(Problems(r));
    CHECK(r.ExitCode() == 1);
    CHECK(Has(r, "audit.checkpoint-inconsistent"));
  }
  SECTION("an older checkpoint of the same tree is stale, not a fork") {
    a.Export(ledger, 2);
    AuditReport r = RunAudit(server.Url(), state.path());
    INFO(Problems(r));
    CHECK(r.ExitCode() == 5);
    CHECK(Has(r, "audit.checkpoint-older"));
    CHECK_FALSE(Has(r, "audit.checkpoint-inconsistent"));
  }
  SECTION("the extension of the same tree passes") {
    a.Export(ledger);
    AuditReport r = RunAudit(server.Url(), state.path());
    INFO(Problems(r));
    CHECK(r.ExitCode() == 0);
    CHECK(r.previous_size == 3);
  }
  SECTION("a tree signed with another key") {
    LedgerBuilder c;  // a new key, published in ledger/key
    c.Year(2026, 5);
    for (int64_t i = 1; i <= 4; ++i) c.Issued(i, false);
    fs::remove_all(ledger);
    c.Export(ledger);
    AuditReport r = RunAudit(server.Url(), state.path());
    INFO(Problems(r));
    CHECK(r.ExitCode() == 1);
    CHECK(Has(r, "audit.key-changed"));
    CHECK(Has(r, "audit.bad-signature"));
  }
}

// Not run by ctest (hidden tag): the audit speed on a year of 100,000 entries
// (33,000 vouchers, the rest queued) served by python3 -m http.server.
// verifier_test "[audit-bench]" prints entries per second, cold and mirrored.
TEST_CASE("audit: speed on 100000 entries", "[.][audit-bench]") {
  LedgerBuilder b;
  b.Year(2026, 33000);
  for (int64_t seq = 1; seq < 100000; ++seq) {
    if (seq <= 33000) {
      b.Issued(seq, false);
    } else {
      b.Queued(seq);
    }
  }
  testing::TempDir site, state;
  b.Export(site.path() / "ledger");
  StaticServer server(site.path());
  for (const char* run : {"cold", "mirrored"}) {
    auto start = std::chrono::steady_clock::now();
    AuditReport r = RunAudit(server.Url(), state.path(), b.VerifierKey());
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(Problems(r));
    CHECK(r.ExitCode() == 0);
    std::printf("audit %s: %lld entries in %.2f s = %.0f entries/s (tiles fetched %lld)\n", run,
                static_cast<long long>(r.entries), s, r.entries / s,
                static_cast<long long>(r.tiles_fetched));
  }
}

// The certledger binary end to end: init --demo, ledger export (with its key
// file), a static server, and `certverify audit` through verifier::Main.
TEST_CASE("audit: a certledger ledger export served statically and certverify audit exit codes",
          "[verifier][audit]") {
  testing::TempDir dir;
  const fs::path data = dir.path() / "data", site = dir.path() / "site";
  auto run = [](const std::string& cmd) {
    int rc = std::system((cmd + " > /dev/null 2>&1").c_str());
    return WEXITSTATUS(rc);
  };
  REQUIRE(run(std::string(CERTLEDGER_BINARY) + " init --data " + data.string() +
              " --base-url https://cert.example.ru --demo") == 0);
  REQUIRE(run(std::string(CERTLEDGER_BINARY) + " ledger export --data " + data.string() +
              " --out " + (site / "ledger").string()) == 0);
  REQUIRE(fs::exists(site / "ledger" / "key"));
  StaticServer server(site);
  const std::string state = (dir.path() / "state").string();
  auto audit = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"certverify", "audit", "--url",  server.Url(),
                                     "--state",    state,   "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return Main(static_cast<int>(argv.size()), argv.data());
  };
  CHECK(audit({"--json"}) == 0);
  CHECK(audit({"--lang", "ru"}) == 0);
  CHECK(audit({"--lang", "xx"}) == kExitUsage);
  CHECK(audit({"--ledger-key", "not-a-key"}) == kExitUsage);
  Flip(FindTile(site / "ledger", "tile/0/"), 3);
  CHECK(audit({}) == 1);  // a partial tile is always fetched: audit.tile-mismatch
}

}  // namespace
}  // namespace certledger::verifier
