#include "registry/ledger/ledger.h"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "crypto/checkpoint.h"
#include "crypto/receipt.h"
#include "crypto/signed_note.h"
#include "crypto/tlog_tiles.h"
#include "registry/internal/db.h"
#include "registry/ledger/entry.h"
#include "tests/registry/ledger_fixture.h"
#include "tests/test_util.h"

namespace certledger::registry {
namespace {

using testing::OpenTestDb;
using testing::TempDir;
using testing::TestEvent;
using testing::TestLedgerSigner;

struct LedgerEnv {
  TempDir dir;
  ManualClock clock{1767225600000};
  std::unique_ptr<internal::Db> db = OpenTestDb((dir.path() / "registry.db").string());
  std::unique_ptr<Ledger> ledger;

  explicit LedgerEnv(LedgerOptions o = {}) {
    if (o.origin.empty()) o.origin = "cert.example.ru/ledger";
    o.background = false;
    auto l = Ledger::Open(db.get(), TestLedgerSigner(), o, clock);
    REQUIRE(l.ok());
    ledger = std::move(*l);
  }

  // Appends entries [from, from + n) in one transaction.
  void Append(int64_t from, int64_t n) {
    Status s = db->Write([&](internal::Conn& c) -> Status {
      for (int64_t i = from; i < from + n; ++i) {
        CERTLEDGER_RETURN_IF_ERROR(ledger->Append(c, TestEvent(i)).status());
      }
      return Status::Ok();
    });
    REQUIRE(s.ok());
  }

  crypto::Checkpoint Verified(const std::string& note) {
    std::vector<crypto::NoteVerifier> keys{ledger->NoteVerifier()};
    auto opened = crypto::OpenNote(note, keys);
    REQUIRE(opened.ok());
    auto cp = crypto::ParseCheckpoint(opened->text);
    REQUIRE(cp.ok());
    return *cp;
  }
};

crypto::Hash ExpectedRoot(int64_t n) {
  std::vector<crypto::Hash> leaves;
  for (int64_t i = 0; i < n; ++i) leaves.push_back(crypto::LeafHash(*EncodeEntry(TestEvent(i))));
  return crypto::RootFromLeafHashes(leaves);
}

TEST_CASE("ledger: entries are canonical JSON with only public fields", "[registry]") {
  auto body = EncodeEntry(TestEvent(5));
  REQUIRE(body.ok());
  CHECK(
      *body ==
      R"({"digest":")" + crypto::Sha256Tagged("entry 5") +
          R"(","id":"urn:test:5","issuer":"did:web:cert.example.ru","seq":5,"time":"2026-01-01T00:00:00.000Z","type":"test.entry"})");
  auto back = DecodeEntry(*body);
  REQUIRE(back.ok());
  CHECK(back->id == "urn:test:5");
  CHECK(back->fields["seq"] == 5);
  // Personal fields are refused outright.
  for (const char* personal : {"name", "snils", "birthDate", "email", "phone", "fullName"}) {
    LedgerEvent e = TestEvent(1);
    e.fields[personal] = "Иванов Иван Иванович";
    auto r = EncodeEntry(e);
    INFO(personal);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "ledger.field-not-public");
  }
  LedgerEvent bad = TestEvent(1);
  bad.type = "made.up";
  CHECK(EncodeEntry(bad).status().slug() == "ledger.bad-event");
  bad = TestEvent(1);
  bad.digest = "sha1:00";
  CHECK(EncodeEntry(bad).status().slug() == "ledger.bad-event");
  CHECK(SubjectIdFor("https://cert.example.ru/v/ABCD") ==
        crypto::Sha256Tagged("https://cert.example.ru/v/ABCD"));
}

TEST_CASE("ledger: an empty ledger publishes the RFC 6962 empty-tree checkpoint", "[registry]") {
  LedgerEnv env;
  auto note = env.ledger->LatestCheckpoint();
  REQUIRE(note.ok());
  auto cp = env.Verified(*note);
  CHECK(cp.size == 0);
  CHECK(cp.root == crypto::EmptyTreeHash());
  CHECK(cp.origin == "cert.example.ru/ledger");
  CHECK(env.ledger->VerifierKey().rfind("cert.example.ru/ledger+", 0) == 0);
}

TEST_CASE("ledger: integration publishes signed checkpoints whose roots match a recomputation",
          "[registry]") {
  LedgerEnv env;
  int64_t total = 0;
  for (int64_t batch : {1, 2, 253, 1, 300, 256, 700}) {
    env.Append(total, batch);
    total += batch;
    auto size = env.ledger->IntegrateNow();
    REQUIRE(size.ok());
    CHECK(*size == total);
    auto cp = env.Verified(*env.ledger->LatestCheckpoint());
    CHECK(cp.size == total);
    CHECK(cp.root == ExpectedRoot(total));
  }
  // Every published checkpoint is consistent with the newest.
  auto all = env.ledger->AllCheckpoints();
  REQUIRE(all.ok());
  CHECK(all->size() == 8);  // the empty one plus one per batch
  auto newest = env.Verified(all->back());
  for (const auto& note : *all) {
    auto old = env.Verified(note);
    auto proof = env.ledger->ConsistencyProof(old.size, newest.size);
    REQUIRE(proof.ok());
    CHECK(crypto::CheckTree(*proof, newest.size, newest.root, old.size, old.root).ok());
  }
}

TEST_CASE("ledger: receipts verify offline with only the ledger key, and forged ones fail",
          "[registry]") {
  LedgerEnv env;
  env.Append(0, 600);
  REQUIRE(env.ledger->IntegrateNow().ok());
  std::vector<crypto::NoteVerifier> keys{env.ledger->NoteVerifier()};
  for (int64_t i : {0, 1, 255, 256, 511, 599}) {
    auto r = env.ledger->ReceiptFor(i);
    REQUIRE(r.ok());
    // Round-trip through the published JSON form.
    auto parsed = crypto::ReceiptFromJson(crypto::ReceiptToJson(*r));
    REQUIRE(parsed.ok());
    auto v = crypto::VerifyReceipt(*parsed, keys);
    INFO(i << " " << v.status().ToString());
    REQUIRE(v.ok());
    CHECK(v->entry == *EncodeEntry(TestEvent(i)));
  }
  auto r = *env.ledger->ReceiptFor(42);
  SECTION("an altered entry") {
    r.entry = *EncodeEntry(TestEvent(43));
    CHECK(crypto::VerifyReceipt(r, keys).status().slug() == "merkle.bad-proof");
  }
  SECTION("a proof moved to another index") {
    r.index = 43;
    CHECK(crypto::VerifyReceipt(r, keys).status().slug() == "merkle.bad-proof");
  }
  SECTION("a checkpoint signed by another key") {
    auto other = crypto::Ed25519Signer::Generate();
    auto ns = crypto::NoteSigner::Create("cert.example.ru/ledger", other.get());
    auto cp = env.Verified(r.checkpoint);
    r.checkpoint = *crypto::SignNote(*crypto::FormatCheckpoint(cp), *ns);
    CHECK(crypto::VerifyReceipt(r, keys).status().slug() == "note.no-verified-signature");
  }
  SECTION("an entry not yet integrated has no receipt") {
    env.Append(600, 1);
    CHECK(env.ledger->ReceiptFor(600).status().slug() == "ledger.not-yet-integrated");
  }
}

TEST_CASE("ledger: served tiles authenticate against the checkpoint and tampering is detected",
          "[registry]") {
  LedgerEnv env;
  env.Append(0, 70);
  REQUIRE(env.ledger->IntegrateNow().ok());
  env.Append(70, 530);
  REQUIRE(env.ledger->IntegrateNow().ok());
  TempDir out;
  auto exported = env.ledger->Export(out.path().string());
  REQUIRE(exported.ok());
  CHECK(*exported == 600);
  auto cp = env.Verified(testing::ReadFile(out.path() / "checkpoint"));
  // Every tile of the tile set is served and matches the export.
  for (const crypto::Tile& t : crypto::TilesForSize(600)) {
    auto served = env.ledger->ReadTile(crypto::TilePath(t));
    REQUIRE(served.ok());
    CHECK(*served == testing::ReadFile(out.path() / crypto::TilePath(t)));
  }
  auto fetch_from = [&](const std::filesystem::path& root) {
    return [root](const crypto::Tile& t) -> Result<std::string> {
      std::ifstream in(root / crypto::TilePath(t), std::ios::binary);
      if (!in) return Status::NotFound("test.missing", crypto::TilePath(t));
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
  };
  {
    crypto::TileHashReader reader(cp.size, cp.root, fetch_from(out.path()));
    auto proof = crypto::ProveRecord(cp.size, 300, reader);
    REQUIRE(proof.ok());
    CHECK(crypto::CheckRecord(*proof, cp.size, cp.root, 300,
                              crypto::LeafHash(*EncodeEntry(TestEvent(300))))
              .ok());
  }
  // The entry bundles hold exactly the entries.
  auto bundle = crypto::ParseEntryBundle(testing::ReadFile(out.path() / "tile/entries/001"));
  REQUIRE(bundle.ok());
  REQUIRE(bundle->size() == 256);
  CHECK((*bundle)[0] == *EncodeEntry(TestEvent(256)));

  // Flip one byte of a stored hash tile: the verifier's reader rejects it.
  auto tile_path = out.path() / "tile/0/001";
  std::string data = testing::ReadFile(tile_path);
  data[100] ^= 1;
  testing::WriteFile(tile_path, data);
  crypto::TileHashReader reader(cp.size, cp.root, fetch_from(out.path()));
  auto proof = crypto::ProveRecord(cp.size, 300, reader);
  REQUIRE_FALSE(proof.ok());
  CHECK(proof.status().code() == Code::kDataLoss);

  // Flip one byte of an entry in a bundle: its leaf hash no longer matches the tile.
  std::string b = testing::ReadFile(out.path() / "tile/entries/000");
  b[10] ^= 1;
  auto entries = crypto::ParseEntryBundle(b);
  REQUIRE(entries.ok());
  auto good_tile = env.ledger->ReadTile("tile/0/000");
  REQUIRE(good_tile.ok());
  auto h = crypto::HashFromTile(crypto::Tile{0, 0, 256}, *good_tile, crypto::StoredHashIndex(0, 0));
  REQUIRE(h.ok());
  CHECK(crypto::LeafHash((*entries)[0]) != *h);
}

TEST_CASE("ledger: bad tile paths are rejected, missing tiles are not found", "[registry]") {
  LedgerEnv env;
  env.Append(0, 3);
  REQUIRE(env.ledger->IntegrateNow().ok());
  CHECK(env.ledger->ReadTile("tile/0/000.p/3").ok());
  CHECK(env.ledger->ReadTile("tile/entries/000.p/3").ok());
  CHECK(env.ledger->ReadTile("tile/0/000").status().code() == Code::kNotFound);
  for (const char* bad :
       {"../registry.db", "tile/0/../../x", "tile/0/0", "tile/64/000", "tile//000"}) {
    INFO(bad);
    CHECK(env.ledger->ReadTile(bad).status().slug() == "tlog.bad-tile-path");
  }
}

TEST_CASE("ledger: writes get a retry-later error when integration falls behind", "[registry]") {
  LedgerOptions o;
  o.max_pending = 10;
  LedgerEnv env(o);
  env.Append(0, 9);
  Status s = env.db->Write(
      [&](internal::Conn& c) -> Status { return env.ledger->Append(c, TestEvent(9)).status(); });
  REQUIRE(s.ok());
  s = env.db->Write(
      [&](internal::Conn& c) -> Status { return env.ledger->Append(c, TestEvent(10)).status(); });
  CHECK(s.code() == Code::kUnavailable);
  CHECK(s.slug() == "ledger.backlog");
  REQUIRE(env.ledger->IntegrateNow().ok());
  s = env.db->Write(
      [&](internal::Conn& c) -> Status { return env.ledger->Append(c, TestEvent(10)).status(); });
  CHECK(s.ok());
}

TEST_CASE("ledger: a failed domain change leaves no ledger entry", "[registry]") {
  LedgerEnv env;
  Status s = env.db->Write([&](internal::Conn& c) -> Status {
    CERTLEDGER_RETURN_IF_ERROR(env.ledger->Append(c, TestEvent(0)).status());
    return Status::InvalidArgument("test.refused", "validation failed after sequencing");
  });
  CHECK(s.slug() == "test.refused");
  CHECK(env.ledger->Entry(0).status().code() == Code::kNotFound);
  env.Append(0, 1);
  CHECK(env.ledger->Entry(0).ok());
}

TEST_CASE("ledger: the background integrator publishes within the configured delay", "[registry]") {
  TempDir dir;
  ManualClock clock(1767225600000);
  auto db = OpenTestDb((dir.path() / "registry.db").string());
  LedgerOptions o;
  o.origin = "cert.example.ru/ledger";
  o.integrate_delay_ms = 50;
  auto ledger = Ledger::Open(db.get(), TestLedgerSigner(), o, clock);
  REQUIRE(ledger.ok());
  REQUIRE(db->Write([&](internal::Conn& c) {
              return (*ledger)->Append(c, TestEvent(0)).status();
            }).ok());
  (*ledger)->Notify();
  bool published = false;
  for (int i = 0; i < 200 && !published; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    published = (*ledger)->ReceiptFor(0).ok();
  }
  CHECK(published);
}

}  // namespace
}  // namespace certledger::registry
