// RFC 6962 Merkle trees over SHA-256, in the design of Go's
// golang.org/x/mod/sumdb/tlog: hashes are addressed by a dense "stored hash
// index", read through a HashReader, and proofs are computed from O(log n)
// reads.
//
// Specs: RFC 6962 section 2.1 (MTH, leaf/node hashing), 2.1.1 (PATH, the
// inclusion proof), 2.1.2 (PROOF, the consistency proof); RFC 9162 sections
// 2.1.3.2 and 2.1.4.2 (verification). Proofs are ordered bottom-up: the first
// hash is the sibling nearest the leaf (RFC 6962 PATH/PROOF output order).
//
// Unlike x/mod, the root of the empty tree is SHA-256("") (RFC 6962 MTH({})),
// not 32 zero bytes; C2SP checkpoints follow RFC 6962.
//
// The stored hash layout (Crosby and Wallach, "Efficient Data Structures for
// Tamper-Evident Logging", section 3.3) is part of the ledger's persistent
// format: do not change StoredHashIndex.
//
// Free functions are pure and thread-safe. A HashReader's thread-safety is up
// to its implementation; functions here call it from the calling thread only.
#ifndef CERTLEDGER_CRYPTO_MERKLE_H_
#define CERTLEDGER_CRYPTO_MERKLE_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/hash.h"
#include "crypto/status.h"

namespace certledger::crypto {

// A node or leaf hash, or a tree root.
using Hash = Sha256Digest;
inline constexpr int kHashSize = 32;

// SHA-256(0x00 || data): the hash of a log entry (RFC 6962 section 2.1).
Hash LeafHash(std::string_view data);
// SHA-256(0x01 || left || right): an interior node (RFC 6962 section 2.1).
Hash NodeHash(const Hash& left, const Hash& right);
// SHA-256(""): the root of the empty tree (RFC 6962 section 2.1, MTH({})).
Hash EmptyTreeHash();

// Maps the tree coordinate (level, n) (the n-th complete subtree of 2^level
// leaves) to its position in the dense append-only hash storage.
// REQUIRES: 0 <= level < 63, n >= 0, and the result fits in an int64.
int64_t StoredHashIndex(int level, int64_t n);

struct TreeCoord {
  int level = 0;
  int64_t n = 0;
  bool operator==(const TreeCoord&) const = default;
};
// The inverse of StoredHashIndex. REQUIRES: index >= 0.
TreeCoord SplitStoredHashIndex(int64_t index);

// The number of stored hashes for a tree of n leaves. REQUIRES: n >= 0.
int64_t StoredHashCount(int64_t n);

// Reads stored hashes (see StoredHashIndex). Implementations include the
// ledger's SQLite store, InMemoryHashStore below, and TileHashReader
// (crypto/tlog_tiles.h), which reads and authenticates published tiles.
class HashReader {
 public:
  virtual ~HashReader() = default;
  // On success, *out holds exactly indexes.size() hashes, out[i] being the
  // hash at indexes[i] (previous contents are replaced). Indexes are usually
  // sorted ascending but need not be. On error *out is unspecified; an index
  // that is not stored is an error (the code is the implementation's:
  // kNotFound, kDataLoss for corrupt storage, kUnavailable for I/O).
  virtual Status ReadHashes(std::span<const int64_t> indexes, std::vector<Hash>* out) = 0;
};

// The hashes to append to storage when adding leaf n (the n-th entry, from 0)
// with data `data`, starting at StoredHashIndex(0, n): the leaf hash, then one
// hash per subtree that leaf n completes. Reads up to log2(n) earlier hashes.
// REQUIRES: the reader holds the StoredHashCount(n) hashes of leaves 0..n-1.
// Errors: kInvalidArgument "merkle.bad-argument" if n < 0; reader errors.
Result<std::vector<Hash>> StoredHashes(int64_t n, std::string_view data, HashReader& reader);
// Like StoredHashes, given LeafHash(data).
Result<std::vector<Hash>> StoredHashesForLeafHash(int64_t n, const Hash& leaf_hash,
                                                  HashReader& reader);

// The root of the tree of the first n leaves (RFC 6962 MTH); SHA-256("") for
// n == 0. One ReadHashes call of at most 1 + log2(n) hashes.
// Errors: "merkle.bad-argument" if n < 0; reader errors.
Result<Hash> TreeHash(int64_t n, HashReader& reader);

// The inclusion proof (RFC 6962 PATH, bottom-up) that the tree of size t
// contains leaf n. REQUIRES (else "merkle.bad-argument"): 0 <= n < t.
Result<std::vector<Hash>> ProveRecord(int64_t t, int64_t n, HashReader& reader);
// OK iff `proof` proves that the tree of size t with root `root` has
// `leaf_hash` at index n. kInvalidArgument "merkle.bad-argument" if !(0 <= n
// < t); "merkle.bad-proof" if the proof has the wrong length or does not lead
// to `root` (RFC 9162 section 2.1.3.2).
Status CheckRecord(std::span<const Hash> proof, int64_t t, const Hash& root, int64_t n,
                   const Hash& leaf_hash);

// The consistency proof (RFC 6962 PROOF, bottom-up) that the tree of size t
// extends the tree of size n. Empty if n == 0 or n == t.
// REQUIRES (else "merkle.bad-argument"): 0 <= n <= t.
Result<std::vector<Hash>> ProveTree(int64_t t, int64_t n, HashReader& reader);
// OK iff `proof` proves that the tree of size t with root `t_root` extends
// the tree of size n with root `n_root` (RFC 9162 section 2.1.4.2). For n == t
// the proof must be empty and the roots equal; for n == 0 the proof must be
// empty and n_root must be SHA-256(""). "merkle.bad-argument" unless
// 0 <= n <= t; "merkle.bad-proof" otherwise on failure.
Status CheckTree(std::span<const Hash> proof, int64_t t, const Hash& t_root, int64_t n,
                 const Hash& n_root);

// The RFC 6962 root of a tree given all its leaf hashes, computed in memory
// (O(n) time, O(log n) space). For tests and small trees.
Hash RootFromLeafHashes(std::span<const Hash> leaf_hashes);

// A HashReader over a std::vector of stored hashes, with Append. Not
// thread-safe. For tests, tools and building tiles in memory.
class InMemoryHashStore final : public HashReader {
 public:
  InMemoryHashStore() = default;
  // Appends entry number Size() given its leaf hash.
  void AppendLeafHash(const Hash& leaf_hash);
  // The number of leaves appended.
  int64_t Size() const { return size_; }
  const std::vector<Hash>& stored_hashes() const { return hashes_; }
  // kNotFound "merkle.hash-not-stored" for an index outside storage.
  Status ReadHashes(std::span<const int64_t> indexes, std::vector<Hash>* out) override;

 private:
  std::vector<Hash> hashes_;
  int64_t size_ = 0;
};

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_MERKLE_H_
