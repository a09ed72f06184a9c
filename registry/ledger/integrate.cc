#include "registry/ledger/integrate.h"

#include <array>
#include <bit>

namespace certledger::registry {
namespace {

// Serves stored hashes below `base` from the old tree and the ones from
// `base` on from the hashes computed in this integration (stored hashes of
// consecutive leaves are contiguous: see crypto::StoredHashIndex).
class OverlayReader final : public crypto::HashReader {
 public:
  OverlayReader(crypto::HashReader& old, int64_t base) : old_(old), base_(base) {}
  std::vector<crypto::Hash>& fresh() { return fresh_; }

  Status ReadHashes(std::span<const int64_t> indexes, std::vector<crypto::Hash>* out) override {
    out->resize(indexes.size());
    std::vector<int64_t> old_idx;
    std::vector<size_t> old_pos;
    for (size_t i = 0; i < indexes.size(); ++i) {
      int64_t x = indexes[i];
      if (x >= base_) {
        if (x - base_ >= static_cast<int64_t>(fresh_.size())) {
          return Status::Internal("ledger.bad-integration", "hash read beyond integration");
        }
        (*out)[i] = fresh_[static_cast<size_t>(x - base_)];
      } else {
        old_idx.push_back(x);
        old_pos.push_back(i);
      }
    }
    if (!old_idx.empty()) {
      std::vector<crypto::Hash> got;
      CERTLEDGER_RETURN_IF_ERROR(old_.ReadHashes(old_idx, &got));
      for (size_t k = 0; k < old_pos.size(); ++k) (*out)[old_pos[k]] = got[k];
    }
    return Status::Ok();
  }

 private:
  crypto::HashReader& old_;
  const int64_t base_;
  std::vector<crypto::Hash> fresh_;
};

}  // namespace

Result<Integration> Integrate(int64_t old_size, std::span<const crypto::Hash> new_leaf_hashes,
                              crypto::HashReader& old_hashes, int64_t prove_from) {
  if (old_size < 0 || prove_from < 0 || prove_from > old_size) {
    return Status::InvalidArgument("ledger.bad-range", "integration sizes out of range");
  }
  Integration out;
  out.old_size = old_size;
  out.new_size = old_size + static_cast<int64_t>(new_leaf_hashes.size());

  // The right edge of the old tree: frontier[l] is the root of the complete
  // subtree of 2^l leaves ending at leaf old_size - 1, for each bit l of
  // old_size (RFC 6962 "compact range"). Leaf n's stored hashes (tlog-tiles
  // "stored hash" order: the leaf, then each subtree it completes) are then
  // computed without reading anything per leaf.
  std::array<crypto::Hash, 64> frontier{};
  {
    std::vector<int64_t> idx;
    std::vector<int> levels;
    for (int l = 0; l < 63; ++l) {
      if ((old_size >> l) & 1) {
        idx.push_back(crypto::StoredHashIndex(l, (old_size >> l) - 1));
        levels.push_back(l);
      }
    }
    if (!idx.empty()) {
      std::vector<crypto::Hash> got;
      CERTLEDGER_RETURN_IF_ERROR(old_hashes.ReadHashes(idx, &got));
      if (got.size() != idx.size()) {
        return Status::Internal("ledger.bad-integration", "short read of the tree's right edge");
      }
      for (size_t k = 0; k < idx.size(); ++k) frontier[static_cast<size_t>(levels[k])] = got[k];
    }
  }
  OverlayReader reader(old_hashes, crypto::StoredHashCount(old_size));
  std::vector<crypto::Hash>& fresh = reader.fresh();
  fresh.reserve(2 * new_leaf_hashes.size() + 64);
  for (size_t i = 0; i < new_leaf_hashes.size(); ++i) {
    uint64_t n = static_cast<uint64_t>(old_size) + i;
    crypto::Hash h = new_leaf_hashes[i];
    fresh.push_back(h);
    int m = std::countr_zero(n + 1);  // subtrees leaf n completes
    for (int l = 0; l < m; ++l) {
      h = crypto::NodeHash(frontier[static_cast<size_t>(l)], h);
      fresh.push_back(h);
    }
    frontier[static_cast<size_t>(m)] = h;
  }
  CERTLEDGER_ASSIGN_OR_RETURN(out.new_root, crypto::TreeHash(out.new_size, reader));
  if (prove_from > 0 && prove_from < out.new_size) {
    CERTLEDGER_ASSIGN_OR_RETURN(out.consistency,
                                crypto::ProveTree(out.new_size, prove_from, reader));
  }

  for (const crypto::Tile& t : crypto::NewTiles(old_size, out.new_size)) {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string data, crypto::ReadTileData(t, reader));
    out.tiles.emplace_back(t, std::move(data));
  }
  return out;
}

}  // namespace certledger::registry
