#include "registry/ledger/integrate.h"

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

Result<Integration> Integrate(int64_t old_size, std::span<const std::string> new_entries,
                              crypto::HashReader& old_hashes) {
  Integration out;
  out.old_size = old_size;
  out.new_size = old_size + static_cast<int64_t>(new_entries.size());

  OverlayReader reader(old_hashes, crypto::StoredHashCount(old_size));
  for (size_t i = 0; i < new_entries.size(); ++i) {
    int64_t n = old_size + static_cast<int64_t>(i);
    CERTLEDGER_ASSIGN_OR_RETURN(auto hashes, crypto::StoredHashes(n, new_entries[i], reader));
    reader.fresh().insert(reader.fresh().end(), hashes.begin(), hashes.end());
  }
  CERTLEDGER_ASSIGN_OR_RETURN(out.new_root, crypto::TreeHash(out.new_size, reader));

  for (const crypto::Tile& t : crypto::NewTiles(old_size, out.new_size)) {
    CERTLEDGER_ASSIGN_OR_RETURN(std::string data, crypto::ReadTileData(t, reader));
    out.tiles.emplace_back(t, std::move(data));
  }
  return out;
}

}  // namespace certledger::registry
