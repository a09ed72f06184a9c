#include "crypto/merkle.h"

#include <bit>
#include <cassert>
#include <string>

namespace certledger::crypto {
namespace {

Status BadArgument(std::string msg) {
  return Status::InvalidArgument("merkle.bad-argument", std::move(msg));
}
Status BadProof(std::string msg) {
  return Status::InvalidArgument("merkle.bad-proof", std::move(msg));
}

// The largest power of two <= n. REQUIRES: n >= 1.
int64_t FloorPow2(int64_t n) { return static_cast<int64_t>(std::bit_floor(uint64_t(n))); }
// RFC 6962 section 2.1: k, the largest power of two smaller than n.
// REQUIRES: n >= 2.
int64_t SplitPoint(int64_t n) { return FloorPow2(n - 1); }
int Log2(int64_t pow2) { return std::countr_zero(uint64_t(pow2)); }

// Proofs and subtree decompositions need at most ~2 * 63 stored hashes.
constexpr size_t kIndexReserve = 128;

// Appends the stored hash indexes of the maximal complete subtrees that make
// up the leaves [lo, hi), left to right (x/mod subTreeIndex).
void SubTreeIndex(int64_t lo, int64_t hi, std::vector<int64_t>* need) {
  while (lo < hi) {
    int64_t k = FloorPow2(hi - lo);
    assert((lo & (k - 1)) == 0);
    int level = Log2(k);
    need->push_back(StoredHashIndex(level, lo >> level));
    lo += k;
  }
}

// The MTH of the leaves [lo, hi) from the hashes of SubTreeIndex(lo, hi),
// consumed from the front of *hashes (x/mod subTreeHash).
Hash SubTreeHash(int64_t lo, int64_t hi, std::span<const Hash>* hashes) {
  size_t num_trees = 0;
  for (int64_t x = lo; x < hi; x += FloorPow2(hi - x)) ++num_trees;
  assert(num_trees >= 1 && hashes->size() >= num_trees);
  Hash h = (*hashes)[num_trees - 1];
  for (size_t i = num_trees - 1; i-- > 0;) h = NodeHash((*hashes)[i], h);
  *hashes = hashes->subspan(num_trees);
  return h;
}

// RFC 6962 section 2.1.1 PATH(n, D[lo:hi]): the indexes it needs.
void LeafProofIndex(int64_t lo, int64_t hi, int64_t n, std::vector<int64_t>* need) {
  assert(lo <= n && n < hi);
  if (lo + 1 == hi) return;
  int64_t k = SplitPoint(hi - lo);
  if (n < lo + k) {
    LeafProofIndex(lo, lo + k, n, need);
    SubTreeIndex(lo + k, hi, need);
  } else {
    SubTreeIndex(lo, lo + k, need);
    LeafProofIndex(lo + k, hi, n, need);
  }
}

// PATH(n, D[lo:hi]) from the hashes of LeafProofIndex, appended bottom-up.
void LeafProof(int64_t lo, int64_t hi, int64_t n, std::span<const Hash>* hashes,
               std::vector<Hash>* proof) {
  if (lo + 1 == hi) return;  // The verifier knows the leaf hash.
  int64_t k = SplitPoint(hi - lo);
  Hash sibling;
  if (n < lo + k) {
    LeafProof(lo, lo + k, n, hashes, proof);
    sibling = SubTreeHash(lo + k, hi, hashes);
  } else {
    sibling = SubTreeHash(lo, lo + k, hashes);
    LeafProof(lo + k, hi, n, hashes, proof);
  }
  proof->push_back(sibling);
}

// RFC 6962 section 2.1.2 SUBPROOF(n, D[lo:hi], lo == 0): the indexes it
// needs.
void TreeProofIndex(int64_t lo, int64_t hi, int64_t n, std::vector<int64_t>* need) {
  assert(lo < n && n <= hi);
  if (n == hi) {
    if (lo != 0) SubTreeIndex(lo, hi, need);
    return;
  }
  int64_t k = SplitPoint(hi - lo);
  if (n <= lo + k) {
    TreeProofIndex(lo, lo + k, n, need);
    SubTreeIndex(lo + k, hi, need);
  } else {
    SubTreeIndex(lo, lo + k, need);
    TreeProofIndex(lo + k, hi, n, need);
  }
}

// SUBPROOF from the hashes of TreeProofIndex, appended bottom-up.
void TreeProof(int64_t lo, int64_t hi, int64_t n, std::span<const Hash>* hashes,
               std::vector<Hash>* proof) {
  if (n == hi) {
    // The old tree is this whole subtree: the verifier knows its hash when
    // lo == 0; otherwise it is part of the proof.
    if (lo != 0) proof->push_back(SubTreeHash(lo, hi, hashes));
    return;
  }
  int64_t k = SplitPoint(hi - lo);
  Hash sibling;
  if (n <= lo + k) {
    TreeProof(lo, lo + k, n, hashes, proof);
    sibling = SubTreeHash(lo + k, hi, hashes);
  } else {
    sibling = SubTreeHash(lo, lo + k, hashes);
    TreeProof(lo + k, hi, n, hashes, proof);
  }
  proof->push_back(sibling);
}

Status ReadExactly(HashReader& reader, std::span<const int64_t> indexes, std::vector<Hash>* out) {
  CERTLEDGER_RETURN_IF_ERROR(reader.ReadHashes(indexes, out));
  if (out->size() != indexes.size()) {
    return Status::Internal("merkle.bad-reader", "HashReader returned " +
                                                     std::to_string(out->size()) + " hashes for " +
                                                     std::to_string(indexes.size()) + " indexes");
  }
  return Status::Ok();
}

}  // namespace

Hash LeafHash(std::string_view data) {
  static constexpr char kZero[1] = {0x00};
  return Sha256(std::string_view(kZero, 1), data);
}

Hash NodeHash(const Hash& left, const Hash& right) {
  // RFC 6962 section 2.1: SHA-256(0x01 || left || right), from one buffer.
  char buf[1 + 2 * kHashSize];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), reinterpret_cast<uint8_t*>(buf + 1));
  std::copy(right.begin(), right.end(), reinterpret_cast<uint8_t*>(buf + 1 + kHashSize));
  return Sha256(std::string_view(buf, sizeof(buf)));
}

Hash EmptyTreeHash() {
  static const Hash kEmpty = Sha256("");
  return kEmpty;
}

int64_t StoredHashIndex(int level, int64_t n) {
  // Level L's n-th hash is written right after level L+1's (2n+1)-th hash;
  // work down to the level-0 ordering, then add back the level count.
  for (int l = level; l > 0; --l) n = 2 * n + 1;
  // Level 0's n-th hash is written at n + n/2 + n/4 + ...
  int64_t i = 0;
  for (; n > 0; n >>= 1) i += n;
  return i + level;
}

TreeCoord SplitStoredHashIndex(int64_t index) {
  // StoredHashIndex(0, n) < 2n, so the level-0 record before `index` is in
  // [index/2, index/2 + log2(index)].
  int64_t n = index / 2;
  int64_t index_n = StoredHashIndex(0, n);
  assert(index_n <= index);
  for (;;) {
    // Record n adds 1 + trailing_zeros(n + 1) hashes.
    int64_t x = index_n + 1 + std::countr_zero(uint64_t(n + 1));
    if (x > index) break;
    ++n;
    index_n = x;
  }
  // The hash was stored with record n: it is one of (0, n), (1, n/2), ...
  int level = static_cast<int>(index - index_n);
  return TreeCoord{level, n >> level};
}

int64_t StoredHashCount(int64_t n) {
  if (n <= 0) return 0;
  int64_t count = StoredHashIndex(0, n - 1) + 1;
  for (uint64_t i = uint64_t(n - 1); (i & 1) != 0; i >>= 1) ++count;
  return count;
}

Result<std::vector<Hash>> StoredHashes(int64_t n, std::string_view data, HashReader& reader) {
  return StoredHashesForLeafHash(n, LeafHash(data), reader);
}

Result<std::vector<Hash>> StoredHashesForLeafHash(int64_t n, const Hash& leaf_hash,
                                                  HashReader& reader) {
  if (n < 0) return BadArgument("negative leaf index " + std::to_string(n));
  // Each trailing 1 bit of n completes a subtree, which needs the hash of
  // its left sibling; indexes in ascending order.
  int m = std::countr_zero(uint64_t(n + 1));
  std::vector<int64_t> indexes(m);
  for (int i = 0; i < m; ++i) indexes[m - 1 - i] = StoredHashIndex(i, (n >> i) - 1);
  std::vector<Hash> old;
  CERTLEDGER_RETURN_IF_ERROR(ReadExactly(reader, indexes, &old));
  std::vector<Hash> hashes;
  hashes.reserve(m + 1);
  Hash h = leaf_hash;
  hashes.push_back(h);
  for (int i = 0; i < m; ++i) {
    h = NodeHash(old[m - 1 - i], h);
    hashes.push_back(h);
  }
  return hashes;
}

Result<Hash> TreeHash(int64_t n, HashReader& reader) {
  if (n < 0) return BadArgument("negative tree size " + std::to_string(n));
  if (n == 0) return EmptyTreeHash();
  std::vector<int64_t> indexes;
  indexes.reserve(64);
  SubTreeIndex(0, n, &indexes);
  std::vector<Hash> hashes;
  CERTLEDGER_RETURN_IF_ERROR(ReadExactly(reader, indexes, &hashes));
  std::span<const Hash> rest(hashes);
  Hash root = SubTreeHash(0, n, &rest);
  assert(rest.empty());
  return root;
}

Result<std::vector<Hash>> ProveRecord(int64_t t, int64_t n, HashReader& reader) {
  if (n < 0 || n >= t) {
    return BadArgument("inclusion proof of leaf " + std::to_string(n) + " in tree of size " +
                       std::to_string(t) + ": need 0 <= leaf < size");
  }
  std::vector<int64_t> indexes;
  indexes.reserve(kIndexReserve);
  LeafProofIndex(0, t, n, &indexes);
  std::vector<Hash> proof;
  if (indexes.empty()) return proof;
  std::vector<Hash> hashes;
  CERTLEDGER_RETURN_IF_ERROR(ReadExactly(reader, indexes, &hashes));
  proof.reserve(64);
  std::span<const Hash> rest(hashes);
  LeafProof(0, t, n, &rest, &proof);
  assert(rest.empty());
  return proof;
}

Status CheckRecord(std::span<const Hash> proof, int64_t t, const Hash& root, int64_t n,
                   const Hash& leaf_hash) {
  if (n < 0 || n >= t) {
    return BadArgument("inclusion proof of leaf " + std::to_string(n) + " in tree of size " +
                       std::to_string(t) + ": need 0 <= leaf < size");
  }
  // RFC 9162 section 2.1.3.2.
  uint64_t fn = uint64_t(n);
  uint64_t sn = uint64_t(t - 1);
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return BadProof("inclusion proof has more than the " + std::to_string(&p - proof.data()) +
                      " hashes a tree of size " + std::to_string(t) + " needs");
    }
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return BadProof("inclusion proof has " + std::to_string(proof.size()) +
                    " hashes, too few for leaf " + std::to_string(n) + " in a tree of size " +
                    std::to_string(t));
  }
  if (r != root) {
    return BadProof("inclusion proof of leaf " + std::to_string(n) +
                    " does not lead to the root of the tree of size " + std::to_string(t));
  }
  return Status::Ok();
}

Result<std::vector<Hash>> ProveTree(int64_t t, int64_t n, HashReader& reader) {
  if (n < 0 || n > t) {
    return BadArgument("consistency proof from size " + std::to_string(n) + " to " +
                       std::to_string(t) + ": need 0 <= old size <= new size");
  }
  std::vector<Hash> proof;
  if (n == 0 || n == t) return proof;
  std::vector<int64_t> indexes;
  indexes.reserve(kIndexReserve);
  TreeProofIndex(0, t, n, &indexes);
  std::vector<Hash> hashes;
  CERTLEDGER_RETURN_IF_ERROR(ReadExactly(reader, indexes, &hashes));
  proof.reserve(64);
  std::span<const Hash> rest(hashes);
  TreeProof(0, t, n, &rest, &proof);
  assert(rest.empty());
  return proof;
}

Status CheckTree(std::span<const Hash> proof, int64_t t, const Hash& t_root, int64_t n,
                 const Hash& n_root) {
  if (n < 0 || n > t) {
    return BadArgument("consistency proof from size " + std::to_string(n) + " to " +
                       std::to_string(t) + ": need 0 <= old size <= new size");
  }
  if (n == 0 || n == t) {
    if (!proof.empty()) {
      return BadProof("consistency proof from size " + std::to_string(n) + " to " +
                      std::to_string(t) + " must be empty");
    }
    if (n == 0 && n_root != EmptyTreeHash()) {
      return BadProof("the root of the empty tree must be SHA-256(\"\")");
    }
    if (n == t && n_root != t_root) {
      return BadProof("two trees of size " + std::to_string(t) + " have different roots");
    }
    return Status::Ok();
  }
  if (proof.empty()) return BadProof("consistency proof is empty");
  // RFC 9162 section 2.1.4.2. If the old size is a power of two, the old
  // root is the implicit first element of the path.
  size_t i = 0;
  Hash fr, sr;
  if (std::has_single_bit(uint64_t(n))) {
    fr = sr = n_root;
  } else {
    fr = sr = proof[0];
    i = 1;
  }
  uint64_t fn = uint64_t(n - 1);
  uint64_t sn = uint64_t(t - 1);
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; i < proof.size(); ++i) {
    const Hash& c = proof[i];
    if (sn == 0) {
      return BadProof("consistency proof from size " + std::to_string(n) + " to " +
                      std::to_string(t) + " has too many hashes");
    }
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return BadProof("consistency proof from size " + std::to_string(n) + " to " +
                    std::to_string(t) + " has too few hashes");
  }
  if (fr != n_root) {
    return BadProof("consistency proof does not lead to the root of the old tree (size " +
                    std::to_string(n) + ")");
  }
  if (sr != t_root) {
    return BadProof("consistency proof does not lead to the root of the new tree (size " +
                    std::to_string(t) + ")");
  }
  return Status::Ok();
}

Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyTreeHash();
  // A stack of complete subtrees, the i-th of 2^level leaves, merged as
  // leaves arrive (one entry per set bit of the count so far).
  std::vector<Hash> stack;
  stack.reserve(64);
  for (size_t i = 0; i < leaf_hashes.size(); ++i) {
    Hash h = leaf_hashes[i];
    for (uint64_t c = i; (c & 1) != 0; c >>= 1) {
      h = NodeHash(stack.back(), h);
      stack.pop_back();
    }
    stack.push_back(h);
  }
  Hash root = stack.back();
  for (size_t i = stack.size() - 1; i-- > 0;) root = NodeHash(stack[i], root);
  return root;
}

void InMemoryHashStore::AppendLeafHash(const Hash& leaf_hash) {
  Hash h = leaf_hash;
  hashes_.push_back(h);
  for (int i = 0; ((size_ >> i) & 1) != 0; ++i) {
    h = NodeHash(hashes_[StoredHashIndex(i, (size_ >> i) - 1)], h);
    hashes_.push_back(h);
  }
  ++size_;
}

Status InMemoryHashStore::ReadHashes(std::span<const int64_t> indexes, std::vector<Hash>* out) {
  out->resize(indexes.size());
  for (size_t i = 0; i < indexes.size(); ++i) {
    int64_t x = indexes[i];
    if (x < 0 || x >= static_cast<int64_t>(hashes_.size())) {
      return Status::NotFound("merkle.hash-not-stored",
                              "stored hash " + std::to_string(x) + " is not in a store of " +
                                  std::to_string(hashes_.size()) + " hashes");
    }
    (*out)[i] = hashes_[x];
  }
  return Status::Ok();
}

}  // namespace certledger::crypto
