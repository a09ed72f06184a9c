#include "registry/registry.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "crypto/data_integrity.h"
#include "crypto/multikey.h"
#include "crypto/rfc3339.h"
#include "registry/ledger/entry.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

using testing::TempDir;

// Opens the registry in `dir` without the background integrator.
std::unique_ptr<Registry> OpenRegistry(const std::filesystem::path& dir, const Clock& clock) {
  RegistryOptions ro;
  ro.data_dir = dir.string();
  ro.ledger.background = false;
  auto r = Registry::Open(ro, clock);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(*r);
}

struct RegistryEnv {
  TempDir dir;
  ManualClock clock{*crypto::ParseRfc3339("2026-03-02T10:00:00Z")};
  std::unique_ptr<Registry> reg;

  RegistryEnv() {
    InitOptions io;
    io.data_dir = dir.path().string();
    io.base_url = "https://cert.example.ru";
    Status s = Registry::Init(io, clock);
    INFO(s.ToString());
    REQUIRE(s.ok());
    Reopen();
  }
  void Reopen() {
    reg.reset();
    reg = OpenRegistry(dir.path(), clock);
  }
  IssuerInput Provider(std::string slug = "demo") {
    return IssuerInput{slug,
                       "provider",
                       "АНО ДПО «Цифровая академия»",
                       "Digital Academy",
                       "7707083893",
                       "Л035-01298-77/00179876",
                       "2021-03-15"};
  }
  std::vector<LedgerEvent> Entries() {
    std::vector<LedgerEvent> out;
    for (int64_t i = 0;; ++i) {
      auto e = reg->ledger().Entry(i);
      if (!e.ok()) break;
      out.push_back(*DecodeEntry(*e));
    }
    return out;
  }
};

TEST_CASE("registry: init creates a registry whose master key only the owner can read",
          "[registry]") {
  RegistryEnv env;
  struct stat st;
  REQUIRE(::stat((env.dir.path() / "master.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(env.reg->RegistryDid() == "did:web:cert.example.ru");
  CHECK(env.reg->ledger().origin() == "cert.example.ru/ledger");
  // A second init refuses to overwrite.
  InitOptions io;
  io.data_dir = env.dir.path().string();
  io.base_url = "https://cert.example.ru";
  CHECK(Registry::Init(io, env.clock).slug() == "registry.exists");
  // A group-readable master key is refused with the fix in the message.
  env.reg.reset();
  ::chmod((env.dir.path() / "master.key").c_str(), 0640);
  RegistryOptions ro;
  ro.data_dir = env.dir.path().string();
  auto r = Registry::Open(ro, env.clock);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().slug() == "masterkey.mode");
  CHECK(r.status().message().find("chmod 600") != std::string::npos);
  ::chmod((env.dir.path() / "master.key").c_str(), 0600);
  env.Reopen();
}

TEST_CASE("registry: an interrupted init leaves no registry, and the next init finishes",
          "[registry]") {
  TempDir dir;
  ManualClock clock{*crypto::ParseRfc3339("2026-03-02T10:00:00Z")};
  InitOptions io;
  io.data_dir = dir.path().string();
  io.base_url = "https://cert.example.ru";
  // What an init killed half-way leaves: its staging directory only.
  std::filesystem::create_directories(dir.path() / "init.partial");
  { std::ofstream(dir.path() / "init.partial" / "registry.db") << "half-written"; }
  { std::ofstream(dir.path() / "init.partial" / "master.key") << "old key"; }
  Status s = Registry::Init(io, clock);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK_FALSE(std::filesystem::exists(dir.path() / "init.partial"));
  CHECK(std::filesystem::exists(dir.path() / "registry.db"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "registry.db-wal"));
  // The operator's registration is in the ledger.
  CHECK(OpenRegistry(dir.path(), clock)->ledger().Entry(0).ok());

  // A master key without a database (an old interrupted init, or a data
  // directory prepared for restore) is not silently replaced.
  TempDir other;
  { std::ofstream(other.path() / "master.key") << "someone's key"; }
  io.data_dir = other.path().string();
  Status k = Registry::Init(io, clock);
  CHECK(k.slug() == "registry.key-without-database");
  CHECK(k.message().find("certledger restore") != std::string::npos);
}

TEST_CASE("registry: a passphrase-protected registry opens only with the passphrase",
          "[registry]") {
  TempDir dir;
  ManualClock clock(1767225600000);
  InitOptions io;
  io.data_dir = dir.path().string();
  io.base_url = "http://127.0.0.1:8080";
  io.passphrase = crypto::SecretBytes("correct horse battery", crypto::InsecureSecretAccess::Get());
  REQUIRE(Registry::Init(io, clock).ok());
  CHECK_FALSE(std::filesystem::exists(dir.path() / "master.key"));
  RegistryOptions ro;
  ro.data_dir = dir.path().string();
  ro.ledger.background = false;
  ro.passphrase = crypto::SecretBytes("wrong", crypto::InsecureSecretAccess::Get());
  CHECK(Registry::Open(ro, clock).status().slug() == "masterkey.wrong");
  ro.passphrase = io.passphrase;
  auto r = Registry::Open(ro, clock);
  REQUIRE(r.ok());
  CHECK((*r)->did_host() == "127.0.0.1%3A8080");
  CHECK((*r)->ledger().origin() == "127.0.0.1:8080/ledger");
}

TEST_CASE("registry: bad base URLs are refused", "[registry]") {
  for (const char* bad : {"cert.example.ru", "https://cert.example.ru/", "https://Cert.example.ru",
                          "ftp://x.ru", "https://x.ru/path"}) {
    INFO(bad);
    CHECK(DidHostFromBaseUrl(bad).status().slug() == "config.base-url");
  }
}

TEST_CASE("registry: issuers are validated, registered with a key, and logged", "[registry]") {
  RegistryEnv env;
  auto v = env.reg->RegisterIssuer(env.Provider());
  REQUIRE(v.ok());
  CHECK(v->did == "did:web:cert.example.ru:issuers:demo");
  CHECK(v->status == "active");
  auto dup = env.reg->RegisterIssuer(env.Provider());
  INFO(dup.status().ToString());
  CHECK(dup.status().slug() == "issuer.exists");
  auto bad = env.Provider("other");
  bad.inn = "7707083894";
  auto r = env.reg->RegisterIssuer(bad);
  CHECK(r.status().slug() == "inn.invalid");
  CHECK(r.status().field() == "inn");
  bad = env.Provider("Bad Slug");
  CHECK(env.reg->RegisterIssuer(bad).status().field() == "slug");
  bad = env.Provider("other");
  bad.kind = "school";
  CHECK(env.reg->RegisterIssuer(bad).status().field() == "kind");
  bad = env.Provider("other");
  bad.licence_date = "2021-02-30";
  CHECK(env.reg->RegisterIssuer(bad).status().field() == "licence_date");
  REQUIRE(env.reg->ledger().IntegrateNow().ok());
  // The ledger holds: operator registered + key, demo registered + key.
  auto entries = env.Entries();
  REQUIRE(entries.size() == 4);
  CHECK(entries[2].type == "issuer.registered");
  CHECK(entries[2].id == "did:web:cert.example.ru:issuers:demo");
  CHECK(entries[3].type == "key.added");
  CHECK(entries[3].id == "did:web:cert.example.ru:issuers:demo#key-1");
}

TEST_CASE("registry: suspension blocks signing and shows in the DID document", "[registry]") {
  RegistryEnv env;
  REQUIRE(env.reg->RegisterIssuer(env.Provider()).ok());
  REQUIRE(env.reg->ActiveSigner("demo").ok());
  env.clock.Advance(1000);
  REQUIRE(env.reg->SuspendIssuer("demo").ok());
  CHECK(env.reg->SuspendIssuer("demo").slug() == "issuer.state");
  CHECK(env.reg->ActiveSigner("demo").status().slug() == "issuer.suspended");
  auto doc = env.reg->IssuerDidDocument("demo");
  REQUIRE(doc.ok());
  CHECK((*doc)["certledger:issuer"]["status"] == "suspended");
  CHECK((*doc)["certledger:issuer"]["suspendedAt"] == "2026-03-02T10:00:01.000Z");
  REQUIRE(env.reg->ReactivateIssuer("demo").ok());
  CHECK(env.reg->ActiveSigner("demo").ok());
  CHECK(env.reg->SuspendIssuer("nobody").slug() == "issuer.unknown");
}

TEST_CASE("registry: rotated keys keep old credentials verifiable, revoked keys carry a time",
          "[registry]") {
  RegistryEnv env;
  REQUIRE(env.reg->RegisterIssuer(env.Provider()).ok());
  auto resolver = [&env](const std::string& vm) -> Result<std::string> {
    auto doc = env.reg->IssuerDidDocument("demo");
    for (const auto& m : (*doc)["verificationMethod"]) {
      if (m["id"] == vm)
        return crypto::DecodeEd25519Multikey(m["publicKeyMultibase"].get<std::string>());
    }
    return Status::NotFound("test.key", vm);
  };
  Json doc = {{"@context", {"https://www.w3.org/ns/credentials/v2"}},
              {"type", {"VerifiableCredential"}},
              {"issuer", "did:web:cert.example.ru:issuers:demo"}};
  crypto::ProofOptions po;
  po.created = "2026-03-02T10:00:00Z";
  auto s1 = env.reg->ActiveSigner("demo");
  REQUIRE(s1.ok());
  CHECK((*s1)->KeyId() == "did:web:cert.example.ru:issuers:demo#key-1");
  auto signed1 = crypto::AddProof(doc, po, **s1);
  REQUIRE(signed1.ok());
  auto k2 = env.reg->RotateKey("demo");
  REQUIRE(k2.ok());
  CHECK(k2->n == 2);
  auto s2 = env.reg->ActiveSigner("demo");
  CHECK((*s2)->KeyId() == "did:web:cert.example.ru:issuers:demo#key-2");
  // The old credential still verifies through the DID document; the retired key is listed.
  CHECK(crypto::VerifyProof(*signed1, resolver).ok());
  auto keys = env.reg->Keys("demo");
  REQUIRE(keys->size() == 2);
  CHECK((*keys)[0].state == "retired");
  CHECK((*keys)[1].state == "active");
  // Compromise of key-1: revoked with an effective time that the DID document publishes.
  int64_t when = *crypto::ParseRfc3339("2026-03-01T00:00:00Z");
  REQUIRE(env.reg->RevokeKey("demo", 1, when).ok());
  CHECK(env.reg->RevokeKey("demo", 1, when).slug() == "key.state");
  auto did = env.reg->IssuerDidDocument("demo");
  REQUIRE(did.ok());
  CHECK((*did)["verificationMethod"][1]["revoked"] == "2026-03-01T00:00:00.000Z");
  CHECK((*did)["assertionMethod"][0] == "did:web:cert.example.ru:issuers:demo#key-2");
  // Reopening (keys decrypted with the master key) keeps the same active key.
  env.Reopen();
  CHECK((*env.reg->ActiveSigner("demo"))->PublicKey() == k2->public_key);
}

// Authenticate keeps tokens it read while no api_tokens row may have changed
// (Db::WatchedVersion). A token revoked through this registry must fail at
// once; one revoked by another process (`certledger admin`: here a second
// Registry on the same files) once this one has written again, or once the
// cache's age (100 ms) has passed without a write.
TEST_CASE("registry: tokens: revoked here fail at once, revoked by another process soon after",
          "[registry]") {
  RegistryEnv env;
  REQUIRE(env.reg->RegisterIssuer(env.Provider()).ok());
  auto token = [&] {
    auto t = env.reg->CreateToken(Role::kProvider, "demo", "test");
    REQUIRE(t.ok());
    auto p = env.reg->Authenticate(t->token);  // read, and kept
    REQUIRE(p.ok());
    CHECK(p->scope == "demo");
    REQUIRE(env.reg->Authenticate(t->token).ok());  // kept
    return *t;
  };
  auto rejected = [&](const NewToken& t) {
    return env.reg->Authenticate(t.token).status().slug() == "token.invalid";
  };
  SECTION("revoked through this registry") {
    NewToken t = token();
    REQUIRE(env.reg->RevokeToken(t.info.id).ok());
    CHECK(rejected(t));
    // A wrong secret for a kept id is refused too.
    NewToken u = token();
    std::string forged = u.token;
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    CHECK(env.reg->Authenticate(forged).status().slug() == "token.invalid");
    CHECK(env.reg->Authenticate(u.token).ok());
  }
  SECTION("revoked by another process, then this one writes") {
    NewToken t = token();
    auto other = OpenRegistry(env.dir.path(), env.clock);
    REQUIRE(other->RevokeToken(t.info.id).ok());
    REQUIRE(env.reg->RegisterIssuer(env.Provider("other")).ok());  // no token written
    CHECK(rejected(t));
  }
  SECTION("revoked by another process, and nothing written since") {
    NewToken t = token();
    auto other = OpenRegistry(env.dir.path(), env.clock);
    REQUIRE(other->RevokeToken(t.info.id).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    CHECK(rejected(t));
  }
}

TEST_CASE("registry: the registry DID document publishes the ledger key", "[registry]") {
  RegistryEnv env;
  auto doc = env.reg->RegistryDidDocument();
  REQUIRE(doc.ok());
  CHECK((*doc)["id"] == "did:web:cert.example.ru");
  CHECK((*doc)["service"][0]["verifierKey"] == env.reg->ledger().VerifierKey());
  auto ctx = env.reg->Context();
  CHECK(ctx["@context"]["workloadHours"]["@id"] ==
        "https://cert.example.ru/contexts/v1#workloadHours");
}

}  // namespace
}  // namespace certledger::registry
