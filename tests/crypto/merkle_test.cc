#include "crypto/merkle.h"

#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "crypto/encoding.h"
#include "tests/test_util.h"

namespace certledger::crypto {
namespace {

using nlohmann::json;
using testing::Hex;
using testing::ReadFile;
using testing::SharedPath;
using testing::Unhex;

Hash H(std::string_view hex) { return testing::HashFromHex(hex); }
std::string HexOf(const Hash& h) { return Hex(AsStringView(h)); }
std::vector<Hash> Hashes(const json& hex_list) { return testing::HashesFromHex(hex_list); }

const json& Vectors() {
  static const json v = testing::SharedJson("vectors/tlog/rfc6962_merkle.json");
  return v;
}

// The root of the vectors' tree of `size` leaves.
Hash Root(int64_t size) {
  return H(Vectors()["roots"][size_t(size)]["root_hex"].get<std::string>());
}

// The 8 leaves of the vectors in an InMemoryHashStore.
InMemoryHashStore EightLeafStore() {
  InMemoryHashStore store;
  for (const auto& leaf : Vectors()["leaves_hex"]) {
    store.AppendLeafHash(LeafHash(Unhex(leaf.get<std::string>())));
  }
  return store;
}

// A naive transcription of RFC 6962 section 2.1 (MTH, PATH, PROOF), used to
// cross-check the stored-hash implementation beyond the vectors.
Hash NaiveMth(std::span<const Hash> d) {
  if (d.empty()) return Sha256("");
  if (d.size() == 1) return d[0];
  size_t k = 1;
  while (k * 2 < d.size()) k *= 2;
  return NodeHash(NaiveMth(d.subspan(0, k)), NaiveMth(d.subspan(k)));
}
std::vector<Hash> NaivePath(size_t m, std::span<const Hash> d) {
  if (d.size() <= 1) return {};
  size_t k = 1;
  while (k * 2 < d.size()) k *= 2;
  std::vector<Hash> p;
  if (m < k) {
    p = NaivePath(m, d.subspan(0, k));
    p.push_back(NaiveMth(d.subspan(k)));
  } else {
    p = NaivePath(m - k, d.subspan(k));
    p.push_back(NaiveMth(d.subspan(0, k)));
  }
  return p;
}
std::vector<Hash> NaiveSubproof(size_t m, std::span<const Hash> d, bool b) {
  size_t n = d.size();
  if (m == n) {
    if (b) return {};
    return {NaiveMth(d)};
  }
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  std::vector<Hash> p;
  if (m <= k) {
    p = NaiveSubproof(m, d.subspan(0, k), b);
    p.push_back(NaiveMth(d.subspan(k)));
  } else {
    p = NaiveSubproof(m - k, d.subspan(k), false);
    p.push_back(NaiveMth(d.subspan(0, k)));
  }
  return p;
}

TEST_CASE("merkle: leaf hashes match the RFC 6962 vectors", "[crypto]") {
  const json& v = Vectors();
  REQUIRE(v["leaves_hex"].size() == 8);
  for (size_t i = 0; i < 8; ++i) {
    CHECK(HexOf(LeafHash(Unhex(v["leaves_hex"][i].get<std::string>()))) ==
          v["leaf_hashes_hex"][i].get<std::string>());
  }
  CHECK(HexOf(EmptyTreeHash()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("merkle: stored complete-subtree hashes match the node hash vectors", "[crypto]") {
  InMemoryHashStore store = EightLeafStore();
  const json& nodes = Vectors()["node_hashes_hex"];
  REQUIRE(store.stored_hashes().size() == size_t(StoredHashCount(8)));
  int checked = 0;
  for (size_t level = 0; level < nodes.size(); ++level) {
    for (size_t k = 0; k < nodes[level].size(); ++k) {
      int64_t x = StoredHashIndex(int(level), int64_t(k));
      CHECK(HexOf(store.stored_hashes()[x]) == nodes[level][k].get<std::string>());
      ++checked;
    }
  }
  CHECK(checked == 15);
}

TEST_CASE("merkle: StoredHashes appends the same hashes as the in-memory store", "[crypto]") {
  InMemoryHashStore reference = EightLeafStore();
  InMemoryHashStore grown;
  std::vector<Hash> all;
  int n = 0;
  for (const auto& leaf : Vectors()["leaves_hex"]) {
    Result<std::vector<Hash>> add = StoredHashes(n, Unhex(leaf.get<std::string>()), grown);
    REQUIRE(add.ok());
    CHECK(int64_t(all.size()) == StoredHashIndex(0, n));
    all.insert(all.end(), add->begin(), add->end());
    grown.AppendLeafHash(LeafHash(Unhex(leaf.get<std::string>())));
    ++n;
  }
  CHECK(all == reference.stored_hashes());
  CHECK(StoredHashes(-1, "", grown).status().slug() == "merkle.bad-argument");
}

TEST_CASE("merkle: tree roots for sizes 0..8 match the vectors, including SHA-256 of empty",
          "[crypto]") {
  InMemoryHashStore store = EightLeafStore();
  std::vector<Hash> leaves = Hashes(Vectors()["leaf_hashes_hex"]);
  const json& roots = Vectors()["roots"];
  REQUIRE(roots.size() == 9);
  for (const auto& r : roots) {
    int64_t size = r["tree_size"].get<int64_t>();
    Result<Hash> root = TreeHash(size, store);
    REQUIRE(root.ok());
    CHECK(HexOf(*root) == r["root_hex"].get<std::string>());
    CHECK(Base64Encode(AsStringView(*root)) == r["root_base64"].get<std::string>());
    CHECK(RootFromLeafHashes(std::span(leaves).subspan(0, size_t(size))) == *root);
  }
  CHECK(TreeHash(-1, store).status().slug() == "merkle.bad-argument");
}

TEST_CASE("merkle: all 36 inclusion proofs are generated and verified as in the vectors",
          "[crypto]") {
  InMemoryHashStore store = EightLeafStore();
  const json& proofs = Vectors()["inclusion_proofs"];
  REQUIRE(proofs.size() == 36);
  for (const auto& p : proofs) {
    int64_t n = p["leaf_index"].get<int64_t>();
    int64_t t = p["tree_size"].get<int64_t>();
    Hash leaf = H(p["leaf_hash_hex"].get<std::string>());
    Hash root = H(p["root_hex"].get<std::string>());
    std::vector<Hash> want = Hashes(p["proof_hex"]);
    INFO("leaf " << n << " size " << t);

    Result<std::vector<Hash>> got = ProveRecord(t, n, store);
    REQUIRE(got.ok());
    CHECK(*got == want);
    Status ok = CheckRecord(want, t, root, n, leaf);
    INFO(ok.ToString());
    CHECK(ok.ok());

    // Every flipped bit position class in every proof hash is rejected.
    for (size_t i = 0; i < want.size(); ++i) {
      for (int bit : {0, 7, 100, 255}) {
        std::vector<Hash> bad = want;
        bad[i][bit / 8] ^= uint8_t(1u << (bit % 8));
        Status s = CheckRecord(bad, t, root, n, leaf);
        CHECK(s.slug() == "merkle.bad-proof");
      }
    }
    Hash bad_leaf = leaf;
    bad_leaf[31] ^= 1;
    CHECK(CheckRecord(want, t, root, n, bad_leaf).slug() == "merkle.bad-proof");
    Hash bad_root = root;
    bad_root[0] ^= 0x80;
    CHECK(CheckRecord(want, t, bad_root, n, leaf).slug() == "merkle.bad-proof");
    // Wrong index, or another size (with that size's true root).
    for (int64_t other = 0; other < t; ++other) {
      if (other != n) CHECK_FALSE(CheckRecord(want, t, root, other, leaf).ok());
    }
    for (int64_t other = n + 1; other <= 8; ++other) {
      if (other != t) CHECK_FALSE(CheckRecord(want, other, Root(other), n, leaf).ok());
    }
    // Truncated and extended proofs.
    if (!want.empty()) {
      CHECK(CheckRecord(std::span(want).first(want.size() - 1), t, root, n, leaf).slug() ==
            "merkle.bad-proof");
    }
    std::vector<Hash> longer = want;
    longer.push_back(root);
    CHECK(CheckRecord(longer, t, root, n, leaf).slug() == "merkle.bad-proof");
  }
}

TEST_CASE("merkle: all 36 consistency proofs are generated and verified as in the vectors",
          "[crypto]") {
  InMemoryHashStore store = EightLeafStore();
  const json& proofs = Vectors()["consistency_proofs"];
  REQUIRE(proofs.size() == 36);
  for (const auto& p : proofs) {
    int64_t n = p["old_size"].get<int64_t>();
    int64_t t = p["new_size"].get<int64_t>();
    Hash old_root = H(p["old_root_hex"].get<std::string>());
    Hash new_root = H(p["new_root_hex"].get<std::string>());
    std::vector<Hash> want = Hashes(p["proof_hex"]);
    INFO("old " << n << " new " << t);

    Result<std::vector<Hash>> got = ProveTree(t, n, store);
    REQUIRE(got.ok());
    CHECK(*got == want);
    Status ok = CheckTree(want, t, new_root, n, old_root);
    INFO(ok.ToString());
    CHECK(ok.ok());

    for (size_t i = 0; i < want.size(); ++i) {
      for (int bit : {0, 9, 128, 255}) {
        std::vector<Hash> bad = want;
        bad[i][bit / 8] ^= uint8_t(1u << (bit % 8));
        CHECK(CheckTree(bad, t, new_root, n, old_root).slug() == "merkle.bad-proof");
      }
    }
    Hash bad_old = old_root;
    bad_old[5] ^= 4;
    CHECK(CheckTree(want, t, new_root, n, bad_old).slug() == "merkle.bad-proof");
    Hash bad_new = new_root;
    bad_new[17] ^= 1;
    CHECK(CheckTree(want, t, bad_new, n, old_root).slug() == "merkle.bad-proof");
    // Other sizes, each with its true root. (A root is bound to its size
    // only by the signed checkpoint, so only true roots are meaningful.)
    for (int64_t other = 1; other <= 8; ++other) {
      if (other != n && other <= t) {
        CHECK_FALSE(CheckTree(want, t, new_root, other, Root(other)).ok());
      }
      if (other != t && other >= n) {
        CHECK_FALSE(CheckTree(want, other, Root(other), n, old_root).ok());
      }
    }
    if (!want.empty()) {
      CHECK(CheckTree(std::span(want).first(want.size() - 1), t, new_root, n, old_root).slug() ==
            "merkle.bad-proof");
    }
    std::vector<Hash> longer = want;
    longer.push_back(new_root);
    CHECK(CheckTree(longer, t, new_root, n, old_root).slug() == "merkle.bad-proof");
  }
}

TEST_CASE("merkle: the empty tree is consistent with every tree, with an empty proof", "[crypto]") {
  InMemoryHashStore store = EightLeafStore();
  Hash root8 = *TreeHash(8, store);
  Result<std::vector<Hash>> p = ProveTree(8, 0, store);
  REQUIRE(p.ok());
  CHECK(p->empty());
  CHECK(CheckTree({}, 8, root8, 0, EmptyTreeHash()).ok());
  CHECK(CheckTree({}, 0, EmptyTreeHash(), 0, EmptyTreeHash()).ok());
  CHECK(CheckTree({}, 8, root8, 0, root8).slug() == "merkle.bad-proof");
  std::vector<Hash> junk{root8};
  CHECK(CheckTree(junk, 8, root8, 0, EmptyTreeHash()).slug() == "merkle.bad-proof");
  CHECK(CheckTree(junk, 8, root8, 8, root8).slug() == "merkle.bad-proof");
}

TEST_CASE("merkle: out-of-range indexes and sizes are argument errors", "[crypto]") {
  InMemoryHashStore store = EightLeafStore();
  Hash h{};
  CHECK(ProveRecord(8, 8, store).status().slug() == "merkle.bad-argument");
  CHECK(ProveRecord(8, -1, store).status().slug() == "merkle.bad-argument");
  CHECK(ProveRecord(0, 0, store).status().slug() == "merkle.bad-argument");
  CHECK(CheckRecord({}, 3, h, 3, h).slug() == "merkle.bad-argument");
  CHECK(CheckRecord({}, 3, h, -1, h).slug() == "merkle.bad-argument");
  CHECK(ProveTree(4, 5, store).status().slug() == "merkle.bad-argument");
  CHECK(ProveTree(4, -1, store).status().slug() == "merkle.bad-argument");
  CHECK(CheckTree({}, 4, h, 5, h).slug() == "merkle.bad-argument");
  CHECK(CheckTree({}, 4, h, 5, h).code() == Code::kInvalidArgument);
  // Proofs past the stored hashes surface the reader's error.
  CHECK(ProveRecord(9, 0, store).status().slug() == "merkle.hash-not-stored");
}

TEST_CASE("merkle: proofs agree with a naive RFC 6962 transcription for every pair up to 70",
          "[crypto]") {
  InMemoryHashStore store;
  std::vector<Hash> leaves;
  for (int i = 0; i < 70; ++i) {
    leaves.push_back(LeafHash("leaf " + std::to_string(i)));
    store.AppendLeafHash(leaves.back());
  }
  std::vector<Hash> roots;
  for (size_t t = 0; t <= leaves.size(); ++t) {
    roots.push_back(NaiveMth(std::span(leaves).first(t)));
    REQUIRE(*TreeHash(int64_t(t), store) == roots.back());
    REQUIRE(RootFromLeafHashes(std::span(leaves).first(t)) == roots.back());
  }
  for (size_t t = 1; t <= leaves.size(); ++t) {
    auto d = std::span<const Hash>(leaves).first(t);
    for (size_t n = 0; n < t; ++n) {
      Result<std::vector<Hash>> p = ProveRecord(int64_t(t), int64_t(n), store);
      REQUIRE(p.ok());
      REQUIRE(*p == NaivePath(n, d));
      REQUIRE(CheckRecord(*p, int64_t(t), roots[t], int64_t(n), leaves[n]).ok());
    }
    for (size_t n = 1; n <= t; ++n) {
      Result<std::vector<Hash>> p = ProveTree(int64_t(t), int64_t(n), store);
      REQUIRE(p.ok());
      REQUIRE(*p == (n == t ? std::vector<Hash>{} : NaiveSubproof(n, d, true)));
      REQUIRE(CheckTree(*p, int64_t(t), roots[t], int64_t(n), roots[n]).ok());
      if (n < t) REQUIRE_FALSE(CheckTree(*p, int64_t(t), roots[t], int64_t(n), roots[n - 1]).ok());
    }
  }
}

TEST_CASE("merkle: SplitStoredHashIndex inverts StoredHashIndex", "[crypto]") {
  for (int64_t x = 0; x < 5000; ++x) {
    TreeCoord c = SplitStoredHashIndex(x);
    REQUIRE(StoredHashIndex(c.level, c.n) == x);
  }
  for (int level = 0; level < 40; ++level) {
    for (int64_t n : {int64_t(0), int64_t(1), int64_t(12345), int64_t(1) << 20}) {
      REQUIRE(SplitStoredHashIndex(StoredHashIndex(level, n)) == TreeCoord{level, n});
    }
  }
  CHECK(StoredHashCount(0) == 0);
  CHECK(StoredHashCount(1) == 1);
  CHECK(StoredHashCount(2) == 3);
  CHECK(StoredHashCount(8) == 15);
  for (int64_t n = 1; n < 2000; ++n) {
    // Leaf n starts right after the hashes of the tree of n leaves.
    REQUIRE(StoredHashCount(n) == StoredHashIndex(0, n));
  }
}

// Serves made-up hashes for any index: only for timing the proof maths.
class SyntheticReader final : public HashReader {
 public:
  Status ReadHashes(std::span<const int64_t> indexes, std::vector<Hash>* out) override {
    out->resize(indexes.size());
    for (size_t i = 0; i < indexes.size(); ++i) {
      Hash h{};
      std::memcpy(h.data(), &indexes[i], sizeof(int64_t));
      (*out)[i] = h;
    }
    ++calls;
    return Status::Ok();
  }
  int calls = 0;
};

TEST_CASE("merkle: an inclusion proof at 10M entries takes well under a millisecond", "[crypto]") {
  SyntheticReader reader;
  std::mt19937_64 rng(42);
  constexpr int64_t kSize = 10'000'000;
  constexpr int kRounds = 2000;
  auto start = std::chrono::steady_clock::now();
  size_t total = 0;
  for (int i = 0; i < kRounds; ++i) {
    int64_t n = int64_t(rng() % uint64_t(kSize));
    Result<std::vector<Hash>> p = ProveRecord(kSize, n, reader);
    REQUIRE(p.ok());
    total += p->size();
  }
  auto per_proof = (std::chrono::steady_clock::now() - start) / kRounds;
  CHECK(reader.calls == kRounds);  // one ReadHashes per proof
  CHECK(total >= size_t(kRounds) * 23);
  INFO("ProveRecord at 10M: "
       << std::chrono::duration_cast<std::chrono::microseconds>(per_proof).count() << " us");
  CHECK(per_proof < std::chrono::microseconds(500));
}

}  // namespace
}  // namespace certledger::crypto
