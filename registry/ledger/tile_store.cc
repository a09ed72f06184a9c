#include "registry/ledger/tile_store.h"

#include "registry/internal/db.h"

namespace certledger::registry {

Status TileStore::Put(internal::Conn& conn, const crypto::Tile& tile, std::string_view data) {
  auto& ins =
      conn.Prepare("INSERT OR IGNORE INTO ledger_tiles(level, n, width, data) VALUES (?, ?, ?, ?)");
  ins.bind(1, tile.level);
  ins.bind(2, static_cast<int64_t>(tile.n));
  ins.bind(3, tile.width);
  ins.bindNoCopy(4, data.data(), static_cast<int>(data.size()));
  if (ins.exec() == 0) {
    // Already there: it must be byte-identical (tiles are immutable).
    CERTLEDGER_ASSIGN_OR_RETURN(std::string existing, Get(conn, tile));
    if (existing != data) {
      return Status::DataLoss("ledger.tile-conflict",
                              "tile " + crypto::TilePath(tile) + " already holds different bytes");
    }
  }
  if (tile.is_full()) {
    auto& del = conn.Prepare("DELETE FROM ledger_tiles WHERE level = ? AND n = ? AND width < 256");
    del.bind(1, tile.level);
    del.bind(2, static_cast<int64_t>(tile.n));
    del.exec();
  }
  return Status::Ok();
}

Result<std::string> TileStore::Get(internal::Conn& conn, const crypto::Tile& tile) {
  auto& q = conn.Prepare("SELECT data FROM ledger_tiles WHERE level = ? AND n = ? AND width = ?");
  q.bind(1, tile.level);
  q.bind(2, static_cast<int64_t>(tile.n));
  q.bind(3, tile.width);
  if (!q.executeStep()) {
    return Status::NotFound("ledger.no-such-tile", crypto::TilePath(tile) + " is not stored");
  }
  return internal::Blob(q.getColumn(0));
}

Result<TileStore::Cached> TileStore::Widest(internal::Conn& conn, int level, int64_t n,
                                            int min_width) {
  auto key = std::make_pair(level, n);
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second->width >= min_width) return it->second;
  }
  auto& q = conn.Prepare(
      "SELECT width, data FROM ledger_tiles WHERE level = ? AND n = ? ORDER BY width DESC "
      "LIMIT 1");
  q.bind(1, level);
  q.bind(2, static_cast<int64_t>(n));
  if (!q.executeStep() || q.getColumn(0).getInt() < min_width) {
    return Status::NotFound("ledger.no-such-tile", "no tile at level " + std::to_string(level) +
                                                       " index " + std::to_string(n) + " with " +
                                                       std::to_string(min_width) + " hashes");
  }
  auto e = std::make_shared<Expanded>();
  e->width = q.getColumn(0).getInt();
  std::string data = internal::Blob(q.getColumn(1));
  if (data.size() != static_cast<size_t>(e->width) * crypto::kHashSize) {
    return Status::DataLoss("ledger.tile-corrupt", "stored tile has the wrong length");
  }
  std::vector<crypto::Hash> base(static_cast<size_t>(e->width));
  for (size_t k = 0; k < base.size(); ++k) {
    std::copy_n(data.data() + k * crypto::kHashSize, crypto::kHashSize, base[k].begin());
  }
  e->levels.push_back(std::move(base));
  while (e->levels.size() < crypto::kTileHeight && e->levels.back().size() >= 2) {
    const auto& below = e->levels.back();
    std::vector<crypto::Hash> up(below.size() / 2);
    for (size_t k = 0; k < up.size(); ++k) up[k] = crypto::NodeHash(below[2 * k], below[2 * k + 1]);
    e->levels.push_back(std::move(up));
  }
  Cached c = std::move(e);
  std::lock_guard<std::mutex> lk(mu_);
  if (cache_.size() >= cache_limit_) cache_.erase(cache_.begin());
  cache_[key] = c;
  return c;
}

Status TileStore::Reader::ReadHashes(std::span<const int64_t> indexes,
                                     std::vector<crypto::Hash>* out) {
  out->resize(indexes.size());
  for (size_t i = 0; i < indexes.size(); ++i) {
    crypto::Tile t = crypto::TileForIndex(indexes[i]);
    CERTLEDGER_ASSIGN_OR_RETURN(Cached c, store_.Widest(conn_, t.level, t.n, t.width));
    crypto::TreeCoord coord = crypto::SplitStoredHashIndex(indexes[i]);
    size_t j = static_cast<size_t>(coord.level - crypto::kTileHeight * t.level);
    int64_t k = coord.n - t.n * (crypto::kTileWidth >> j);
    if (j >= c->levels.size() || k < 0 || k >= static_cast<int64_t>(c->levels[j].size())) {
      return Status::NotFound("ledger.no-such-tile", "hash not in the stored tile");
    }
    (*out)[i] = c->levels[j][static_cast<size_t>(k)];
  }
  return Status::Ok();
}

}  // namespace certledger::registry
