#include "crypto/tlog_tiles.h"

#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "crypto/checkpoint.h"
#include "crypto/ed25519.h"
#include "crypto/signed_note.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using nlohmann::json;
using testing::Hex;
using testing::ReadFile;
using testing::SharedPath;
using testing::TempDir;
using testing::Unhex;
using testing::WriteFile;
namespace fs = std::filesystem;

Hash TileH(std::string_view hex) { return testing::HashFromHex(hex); }
std::vector<Hash> TileHashes(const json& hex_list) { return testing::HashesFromHex(hex_list); }

const json& PathVectors() {
  static const json v = testing::SharedJson("vectors/tlog/tile_paths.json");
  return v;
}
const json& ExampleVectors() {
  static const json v = testing::SharedJson("vectors/tlog/tiles_example.json");
  return v;
}
fs::path ExampleDir() { return SharedPath("vectors/tlog/tiles-example"); }

std::vector<std::string> Paths(const std::vector<Tile>& tiles) {
  std::vector<std::string> out;
  for (const Tile& t : tiles) out.push_back(TilePath(t));
  return out;
}

// Every regular file under `dir`, relative, with '/' separators.
std::set<std::string> ListFiles(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).generic_string());
  }
  return out;
}

// A TileFetcher over a directory that records what it was asked for.
struct DirFetcher {
  fs::path dir;
  std::vector<std::string>* log;
  Result<std::string> operator()(const Tile& t) const {
    std::string path = TilePath(t);
    log->push_back(path);
    if (!fs::exists(dir / path)) return Status::NotFound("test.no-tile", path);
    return ReadFile(dir / path);
  }
};

TEST_CASE("tlog-tiles: tile indexes are encoded in x-prefixed 3-digit groups", "[crypto]") {
  const json& cases = PathVectors()["index_encoding"];
  REQUIRE(cases.size() == 17);
  for (const auto& c : cases) {
    CHECK(EncodeTileIndex(c["n"].get<int64_t>()) == c["encoded"].get<std::string>());
  }
}

TEST_CASE("tlog-tiles: tile and entry-bundle paths are built and parsed as in the vectors",
          "[crypto]") {
  const json& cases = PathVectors()["tile_paths"];
  REQUIRE(cases.size() == 10);
  for (const auto& c : cases) {
    Tile t{c["level"].get<int>(), c["index"].get<int64_t>(), c["width"].get<int>()};
    std::string path = c["path"].get<std::string>();
    INFO(path);
    CHECK(TilePath(t) == path);
    Result<Tile> parsed = ParseTilePath(path);
    REQUIRE(parsed.ok());
    CHECK(*parsed == t);
    CHECK(parsed->is_entries() == (t.level == kEntriesLevel));
    // x/mod's names (tile/8/...) are not tlog-tiles paths.
    CHECK(ParseTilePath(c["xmod_path"].get<std::string>()).status().slug() == "tlog.bad-tile-path");
  }
}

TEST_CASE("tlog-tiles: malformed tile paths are rejected", "[crypto]") {
  std::vector<std::string> bad;
  for (const auto& p : PathVectors()["invalid_paths"]) bad.push_back(p.get<std::string>());
  REQUIRE(bad.size() == 12);
  for (const char* extra :
       {"", "tile", "tile/", "tile/0", "tile/0/", "/tile/0/000", "tile/0/000/", "./tile/0/000",
        "tile/0/../0/000", "tile/0/./000", "tile//0/000", "tile/0//000", "tile/0/000.p/",
        "tile/0/000.p/1/", "tile/0/000.p/1.p/2", "tile/0/000.p/+1", "tile/0/000.p/-1",
        "tile/0/000.p/1000", "tile/0/-01", "tile/0/+01", "tile/0/ 01", "tile/0/00a",
        "tile/0/x01/000", "tile/0/x1000/000", "tile/0/y001/000", "tile/0/X001/000",
        "tile/0/x001/x000", "tile/0/x000/x001/000", "tile/-1/000", "tile/+1/000", "tile/1a/000",
        "tile/100/000", "tile/ENTRIES/000", "tile/entries", "tile/entries/", "Tile/0/000",
        "tile/0/000\n", "tile/0/000.P/5",
        // Index 2^63 and beyond overflow int64.
        "tile/0/x009/x223/x372/x036/x854/x775/808",
        "tile/0/x001/x000/x000/x000/x000/x000/x000/000"}) {
    bad.emplace_back(extra);
  }
  bad.push_back(std::string("tile/0/000\0", 11));
  bad.push_back(std::string("tile/0/000.p/5\0", 15));
  for (const std::string& p : bad) {
    INFO("\"" << p << "\"");
    Result<Tile> r = ParseTilePath(p);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "tlog.bad-tile-path");
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
  // The largest index still parses.
  Result<Tile> max = ParseTilePath("tile/0/x009/x223/x372/x036/x854/x775/807");
  REQUIRE(max.ok());
  CHECK(max->n == INT64_MAX);
  CHECK(ParseTilePath("tile/0/x001/x000/000")->n == 1'000'000);
}

TEST_CASE("tlog-tiles: the tile set of each of the 16 tree sizes matches the vectors", "[crypto]") {
  const json& cases = PathVectors()["tiles_per_tree_size"];
  REQUIRE(cases.size() == 16);
  for (const auto& c : cases) {
    int64_t size = c["tree_size"].get<int64_t>();
    INFO("size " << size);
    std::vector<TileLevel> want;
    if (!c["levels"].is_null()) {
      for (const auto& l : c["levels"]) {
        want.push_back(TileLevel{l["Level"].get<int>(), l["FullTiles"].get<int64_t>(),
                                 l["PartialWidth"].get<int>()});
      }
    }
    CHECK(TileLevelsForSize(size) == want);
    std::vector<Tile> all = TilesForSize(size);
    if (c.contains("paths")) {
      CHECK(Paths(all) == c["paths"].get<std::vector<std::string>>());
    }
    CHECK(Paths(PartialTilesForSize(size)) ==
          c["right_edge_paths"].get<std::vector<std::string>>());
    // NewTiles from 0 is exactly the hash tiles of the set; the bundles
    // are the entry tiles of the set.
    std::vector<Tile> hash_tiles, bundles;
    for (const Tile& t : all) (t.is_entries() ? bundles : hash_tiles).push_back(t);
    std::vector<Tile> fresh = NewTiles(0, size);
    CHECK(std::set<Tile>(fresh.begin(), fresh.end()) ==
          std::set<Tile>(hash_tiles.begin(), hash_tiles.end()));
    CHECK(NewEntryBundles(0, size) == bundles);
    for (const Tile& t : all) REQUIRE(*ParseTilePath(TilePath(t)) == t);
  }
}

TEST_CASE("tlog-tiles: growing a tree writes the completed and new partial tiles", "[crypto]") {
  CHECK(Paths(NewTiles(200, 300)) ==
        std::vector<std::string>{"tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1"});
  CHECK(Paths(NewEntryBundles(200, 300)) ==
        std::vector<std::string>{"tile/entries/000", "tile/entries/001.p/44"});
  CHECK(NewTiles(300, 300).empty());
  CHECK(Paths(NewTiles(256, 257)) == std::vector<std::string>{"tile/0/001.p/1"});
  // Whatever the steps, the last size's tile set is covered.
  for (int64_t step : {1, 7, 100, 255, 256, 1000}) {
    std::set<Tile> written;
    for (int64_t s = 0; s < 70000; s = std::min<int64_t>(70000, s + step)) {
      for (const Tile& t : NewTiles(s, std::min<int64_t>(70000, s + step))) written.insert(t);
    }
    for (const Tile& t : TilesForSize(70000)) {
      if (!t.is_entries()) REQUIRE(written.count(t) == 1);
    }
  }
}

TEST_CASE("tlog-tiles: every stored hash is recomputed from its tile", "[crypto]") {
  InMemoryHashStore store;
  for (int i = 0; i < 70000; ++i) store.AppendLeafHash(LeafHash(std::to_string(i)));
  std::map<Tile, std::string> tiles;
  for (const Tile& t : TilesForSize(store.Size())) {
    if (t.is_entries()) continue;
    Result<std::string> data = ReadTileData(t, store);
    REQUIRE(data.ok());
    REQUIRE(data->size() == size_t(t.width) * 32);
    tiles[t] = *data;
  }
  const std::vector<Hash>& stored = store.stored_hashes();
  for (int64_t x = 0; x < int64_t(stored.size()); x += (x < 3000 ? 1 : 97)) {
    Tile t = TileForIndex(x);
    // The tile of the set that holds it: same level and index, widest.
    auto it = tiles.upper_bound(Tile{t.level, t.n, kTileWidth});
    REQUIRE(it != tiles.begin());
    --it;
    REQUIRE(it->first.level == t.level);
    REQUIRE(it->first.n == t.n);
    REQUIRE(it->first.width >= t.width);
    Result<Hash> h = HashFromTile(it->first, it->second, x);
    REQUIRE(h.ok());
    REQUIRE(*h == stored[x]);
  }
  // Wrong tile, short data, entry bundle: errors.
  Tile t0{0, 0, kTileWidth};
  CHECK(HashFromTile(t0, tiles[t0], StoredHashIndex(0, 256)).status().slug() == "tlog.bad-tile");
  CHECK(HashFromTile(t0, tiles[t0].substr(1), 0).status().slug() == "tlog.bad-tile");
  CHECK(HashFromTile(Tile{kEntriesLevel, 0, 256}, tiles[t0], 0).status().slug() == "tlog.bad-tile");
  CHECK(ReadTileData(Tile{kEntriesLevel, 0, 256}, store).status().slug() == "tlog.bad-tile");
  // A full level-1 tile's hashes are the roots of the full level-0 tiles.
  Tile t1{1, 0, kTileWidth};
  std::vector<Hash> leaves;
  for (int i = 0; i < 256; ++i) leaves.push_back(LeafHash(std::to_string(256 * 5 + i)));
  CHECK(tiles[t1].substr(5 * 32, 32) == AsString(RootFromLeafHashes(leaves)));
}

TEST_CASE("tlog-tiles: entry bundles are uint16 length-prefixed and parsed strictly", "[crypto]") {
  std::vector<std::string> entries{"", "a", std::string(300, 'x'), std::string(65535, 'y')};
  Result<std::string> b = EncodeEntryBundle(entries);
  REQUIRE(b.ok());
  CHECK(b->substr(0, 5) == std::string("\x00\x00\x00\x01"
                                       "a",
                                       5));
  CHECK(b->substr(5, 2) == "\x01\x2c");
  Result<std::vector<std::string>> back = ParseEntryBundle(*b);
  REQUIRE(back.ok());
  CHECK(*back == entries);
  CHECK(ParseEntryBundle(*b, Tile{kEntriesLevel, 0, 4}).ok());
  CHECK(ParseEntryBundle(*b, Tile{kEntriesLevel, 0, 5}).status().slug() == "tlog.bad-bundle");

  std::vector<std::string> too_big{std::string(65536, 'z')};
  CHECK(EncodeEntryBundle(too_big).status().slug() == "tlog.entry-too-large");

  for (std::string_view bad :
       {std::string_view(""), std::string_view("\x00", 1), std::string_view("\x00\x02x", 3),
        std::string_view("\x00\x01xy", 4)}) {
    Result<std::vector<std::string>> r = ParseEntryBundle(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "tlog.bad-bundle");
  }
  std::string many;
  for (int i = 0; i < 257; ++i) REQUIRE(AppendToEntryBundle("e", &many).ok());
  CHECK(ParseEntryBundle(many).status().slug() == "tlog.bad-bundle");
}

TEST_CASE("tlog-tiles: the 300-entry example log is rebuilt byte for byte", "[crypto]") {
  const json& v = ExampleVectors();
  std::vector<std::string> entries = v["entries_utf8"].get<std::vector<std::string>>();
  REQUIRE(entries.size() == 300);
  std::string origin = v["origin"].get<std::string>();
  SecretBytes seed(Unhex(v["ed25519_seed_hex"].get<std::string>()), InsecureSecretAccess::Get());
  auto ed = Ed25519Signer::Create(seed);
  REQUIRE(ed.ok());
  Result<NoteSigner> signer = NoteSigner::Create(origin, ed->get());
  REQUIRE(signer.ok());
  CHECK(FormatVerifierKey(*signer->Verifier()) == v["verifier_key"].get<std::string>());

  TempDir tmp;
  InMemoryHashStore store;
  int64_t published = 0;
  std::map<int64_t, std::string> checkpoints;
  for (int64_t size : {int64_t(200), int64_t(300)}) {
    for (int64_t i = published; i < size; ++i) store.AppendLeafHash(LeafHash(entries[i]));
    for (const Tile& t : NewTiles(published, size)) {
      Result<std::string> data = ReadTileData(t, store);
      REQUIRE(data.ok());
      WriteFile(tmp.path() / TilePath(t), *data);
    }
    for (const Tile& b : NewEntryBundles(published, size)) {
      auto first = entries.begin() + b.n * kTileWidth;
      std::vector<std::string> slice(first, first + b.width);
      Result<std::string> bundle = EncodeEntryBundle(slice);
      REQUIRE(bundle.ok());
      WriteFile(tmp.path() / TilePath(b), *bundle);
    }
    Result<Hash> root = TreeHash(size, store);
    REQUIRE(root.ok());
    Result<std::string> body = FormatCheckpoint(Checkpoint{origin, size, *root, {}});
    REQUIRE(body.ok());
    Result<std::string> note = SignNote(*body, *signer);
    REQUIRE(note.ok());
    WriteFile(tmp.path() / "checkpoint", *note);
    checkpoints[size] = *note;
    published = size;
  }
  CHECK(checkpoints[200] == v["old_checkpoint"].get<std::string>());
  CHECK(checkpoints[200] == ReadFile(SharedPath("vectors/tlog/tiles_example.old_checkpoint")));
  CHECK(checkpoints[300] == v["checkpoint"].get<std::string>());
  CHECK(Hex(AsStringView(*TreeHash(300, store))) == v["root_hex"].get<std::string>());
  CHECK(Hex(AsStringView(*TreeHash(200, store))) == v["old_root_hex"].get<std::string>());

  std::set<std::string> want_files;
  for (const auto& f : v["files"]) {
    std::string path = f["path"].get<std::string>();
    want_files.insert(path);
    INFO(path);
    std::string ours = ReadFile(tmp.path() / path);
    CHECK(ours.size() == f["bytes"].get<size_t>());
    CHECK(Hex(AsStringView(Sha256(ours))) == f["sha256_hex"].get<std::string>());
    CHECK(ours == ReadFile(ExampleDir() / path));
  }
  CHECK(want_files.size() == 8);
  CHECK(ListFiles(tmp.path()) == want_files);
  CHECK(ListFiles(ExampleDir()) == want_files);
}

TEST_CASE("tlog-tiles: proofs computed through the tile hash reader match the example",
          "[crypto]") {
  const json& v = ExampleVectors();
  // Trust comes from the signed checkpoint, opened with the published vkey.
  std::string vkey_text = ReadFile(SharedPath("vectors/tlog/tiles_example.vkey"));
  while (!vkey_text.empty() && vkey_text.back() == '\n') vkey_text.pop_back();
  Result<NoteVerifier> vkey = ParseVerifierKey(vkey_text);
  REQUIRE(vkey.ok());
  CHECK(FormatVerifierKey(*vkey) == v["verifier_key"].get<std::string>());
  Result<Note> note = OpenNote(ReadFile(ExampleDir() / "checkpoint"), std::span(&*vkey, 1));
  REQUIRE(note.ok());
  Result<Checkpoint> cp = ParseCheckpoint(note->text);
  REQUIRE(cp.ok());
  CHECK(cp->origin == v["origin"].get<std::string>());
  REQUIRE(cp->size == 300);
  CHECK(cp->root == TileH(v["root_hex"].get<std::string>()));

  std::vector<std::string> fetched;
  TileHashReader reader(cp->size, cp->root, DirFetcher{ExampleDir(), &fetched});
  std::set<std::string> existing = ListFiles(ExampleDir());

  REQUIRE(v["inclusion_proofs"].size() == 5);
  for (const auto& p : v["inclusion_proofs"]) {
    int64_t n = p["leaf_index"].get<int64_t>();
    INFO("leaf " << n);
    REQUIRE(p["tree_size"].get<int64_t>() == 300);
    Hash leaf = TileH(p["leaf_hash_hex"].get<std::string>());
    // The leaf comes from its entry bundle, and matches its level-0 tile.
    std::string bundle_path = p["bundle_path"].get<std::string>();
    Result<Tile> bundle_tile = ParseTilePath(bundle_path);
    REQUIRE(bundle_tile.ok());
    Result<std::vector<std::string>> bundle =
        ParseEntryBundle(ReadFile(ExampleDir() / bundle_path), *bundle_tile);
    REQUIRE(bundle.ok());
    CHECK(LeafHash((*bundle)[n - bundle_tile->n * kTileWidth]) == leaf);
    std::vector<Hash> via_tiles;
    int64_t leaf_index = StoredHashIndex(0, n);
    REQUIRE(reader.ReadHashes(std::span(&leaf_index, 1), &via_tiles).ok());
    CHECK(via_tiles == std::vector<Hash>{leaf});

    Result<std::vector<Hash>> proof = ProveRecord(300, n, reader);
    REQUIRE(proof.ok());
    CHECK(*proof == TileHashes(p["proof_hex"]));
    CHECK(CheckRecord(*proof, 300, cp->root, n, leaf).ok());
  }

  const json& c = v["consistency_proof"];
  Result<std::vector<Hash>> proof = ProveTree(300, 200, reader);
  REQUIRE(proof.ok());
  CHECK(*proof == TileHashes(c["proof_hex"]));
  Result<Hash> old_root = TreeHash(200, reader);
  REQUIRE(old_root.ok());
  CHECK(*old_root == TileH(v["old_root_hex"].get<std::string>()));
  CHECK(CheckTree(*proof, 300, cp->root, 200, *old_root).ok());
  CHECK(*TreeHash(300, reader) == cp->root);

  // The size-200 checkpoint is served by the partial tiles it required.
  Result<Note> old_note = OpenNote(v["old_checkpoint"].get<std::string>(), std::span(&*vkey, 1));
  REQUIRE(old_note.ok());
  Result<Checkpoint> old_cp = ParseCheckpoint(old_note->text);
  REQUIRE(old_cp.ok());
  TileHashReader old_reader(old_cp->size, old_cp->root, DirFetcher{ExampleDir(), &fetched});
  Result<std::vector<Hash>> p199 = ProveRecord(200, 199, old_reader);
  REQUIRE(p199.ok());
  CHECK(CheckRecord(*p199, 200, old_cp->root, 199,
                    TileH(v["inclusion_proofs"][1]["leaf_hash_hex"].get<std::string>()))
            .ok());

  // Only files that exist were asked for, and tiles are cached once
  // authenticated.
  for (const std::string& f : fetched) CHECK(existing.count(f) == 1);
  CHECK(std::count(fetched.begin(), fetched.end(), "tile/0/000.p/200") == 1);
  CHECK(std::count(fetched.begin(), fetched.end(), "tile/1/000.p/1") == 1);
}

TEST_CASE("tlog-tiles: proofs through tiles equal proofs from the stored hashes at many sizes",
          "[crypto]") {
  InMemoryHashStore store;
  constexpr int64_t kMax = 65536 + 300;
  for (int64_t i = 0; i < kMax; ++i) store.AppendLeafHash(LeafHash("e" + std::to_string(i)));
  for (int64_t size : {int64_t(1), int64_t(2), int64_t(3), int64_t(255), int64_t(256), int64_t(257),
                       int64_t(511), int64_t(512), int64_t(513), int64_t(1000), int64_t(65535),
                       int64_t(65536), int64_t(65537), kMax}) {
    INFO("size " << size);
    // Tiles as published for this size, served from memory.
    std::map<Tile, std::string> published;
    for (const Tile& t : TilesForSize(size)) {
      if (!t.is_entries()) published[t] = *ReadTileData(t, store);
    }
    int fetches = 0;
    Hash root = *TreeHash(size, store);
    TileHashReader reader(size, root, [&](const Tile& t) -> Result<std::string> {
      ++fetches;
      auto it = published.find(t);
      if (it == published.end()) return Status::NotFound("test.no-tile", TilePath(t));
      return it->second;
    });
    REQUIRE(*TreeHash(size, reader) == root);
    for (int64_t n : {int64_t(0), size / 3, size / 2, size - 1}) {
      Result<std::vector<Hash>> via_tiles = ProveRecord(size, n, reader);
      REQUIRE(via_tiles.ok());
      REQUIRE(*via_tiles == *ProveRecord(size, n, store));
      for (int64_t old : {int64_t(1), n + 1, size}) {
        Result<std::vector<Hash>> c = ProveTree(size, old, reader);
        REQUIRE(c.ok());
        REQUIRE(*c == *ProveTree(size, old, store));
      }
    }
    // Authenticated tiles are fetched once.
    CHECK(fetches <= int(published.size()));
  }
}

TEST_CASE("tlog-tiles: a flipped byte in any stored tile is detected by the tile hash reader",
          "[crypto]") {
  const json& v = ExampleVectors();
  Hash root = TileH(v["root_hex"].get<std::string>());
  for (const char* victim : {"tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1"}) {
    for (size_t offset : {size_t(0), size_t(31), size_t(1000)}) {
      TempDir tmp;
      for (const std::string& f : ListFiles(ExampleDir())) {
        WriteFile(tmp.path() / f, ReadFile(ExampleDir() / f));
      }
      std::string data = ReadFile(tmp.path() / victim);
      if (offset >= data.size()) continue;
      data[offset] ^= 0x01;
      WriteFile(tmp.path() / victim, data);
      INFO(victim << " byte " << offset);

      std::vector<std::string> fetched;
      TileHashReader reader(300, root, DirFetcher{tmp.path(), &fetched});
      // Reading leaves of every tile touches the corrupt one.
      std::vector<int64_t> all{StoredHashIndex(0, 0), StoredHashIndex(0, 299)};
      std::vector<Hash> out;
      Status s = reader.ReadHashes(all, &out);
      REQUIRE_FALSE(s.ok());
      CHECK(s.slug() == "tlog.tile-mismatch");
      CHECK(s.code() == Code::kDataLoss);
      CHECK_FALSE(ProveRecord(300, 7, reader).ok());
    }
  }
}

TEST_CASE("tlog-tiles: the tile hash reader rejects short tiles, foreign indexes and fetch errors",
          "[crypto]") {
  const json& v = ExampleVectors();
  Hash root = TileH(v["root_hex"].get<std::string>());
  std::vector<Hash> out;

  TileHashReader truncating(300, root, [](const Tile& t) -> Result<std::string> {
    std::string data = ReadFile(ExampleDir() / TilePath(t));
    return data.substr(0, data.size() - 1);
  });
  int64_t x = StoredHashIndex(0, 5);
  Status s = truncating.ReadHashes(std::span(&x, 1), &out);
  CHECK(s.slug() == "tlog.tile-mismatch");
  CHECK(s.code() == Code::kDataLoss);

  std::vector<std::string> fetched;
  TileHashReader reader(300, root, DirFetcher{ExampleDir(), &fetched});
  int64_t outside = StoredHashIndex(0, 300);
  CHECK(reader.ReadHashes(std::span(&outside, 1), &out).slug() == "tlog.bad-argument");
  int64_t negative = -1;
  CHECK(reader.ReadHashes(std::span(&negative, 1), &out).slug() == "tlog.bad-argument");
  CHECK(reader.ReadHashes({}, &out).ok());
  CHECK(out.empty());

  TileHashReader missing(300, root, [](const Tile&) -> Result<std::string> {
    return Status::Unavailable("test.offline", "no network");
  });
  CHECK(missing.ReadHashes(std::span(&x, 1), &out).slug() == "test.offline");

  // A reader trusting a wrong root authenticates nothing.
  Hash wrong = root;
  wrong[0] ^= 1;
  TileHashReader liar(300, wrong, DirFetcher{ExampleDir(), &fetched});
  CHECK(liar.ReadHashes(std::span(&x, 1), &out).slug() == "tlog.tile-mismatch");
}

}  // namespace
}  // namespace certledger::crypto
