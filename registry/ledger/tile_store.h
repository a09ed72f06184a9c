// The tile store: C2SP tlog-tiles hash tiles and entry bundles in SQLite,
// immutable once written, with a read cache. A partial tile is deleted once
// the full tile at the same position exists (tlog-tiles "Partial Tiles"
// allows it), so storage stays linear in the log size.
//
// Thread-safety: TileStore is thread-safe (its cache is guarded); each call
// runs on the connection the caller owns.
#ifndef CERTLEDGER_REGISTRY_LEDGER_TILE_STORE_H_
#define CERTLEDGER_REGISTRY_LEDGER_TILE_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "crypto/merkle.h"
#include "crypto/status.h"
#include "crypto/tlog_tiles.h"

namespace certledger::registry {
namespace internal {
class Conn;
}

class TileStore {
 public:
  explicit TileStore(size_t cache_tiles = 4096) : cache_limit_(cache_tiles) {}
  TileStore(const TileStore&) = delete;
  TileStore& operator=(const TileStore&) = delete;

  // Writes `tile` inside the caller's transaction. Idempotent: rewriting the
  // same bytes is a no-op; different bytes are kDataLoss
  // ("ledger.tile-conflict"), since tiles are immutable. Writing a full tile
  // deletes the partial tiles at its position.
  Status Put(internal::Conn& conn, const crypto::Tile& tile, std::string_view data);

  // The exact tile (level, n, width). kNotFound ("ledger.no-such-tile").
  Result<std::string> Get(internal::Conn& conn, const crypto::Tile& tile);

  // A HashReader over the stored tiles of the integrated tree. Valid while
  // `conn` and *this live. Not thread-safe itself; make one per call.
  class Reader final : public crypto::HashReader {
   public:
    Reader(TileStore& store, internal::Conn& conn) : store_(store), conn_(conn) {}
    Status ReadHashes(std::span<const int64_t> indexes, std::vector<crypto::Hash>* out) override;

   private:
    TileStore& store_;
    internal::Conn& conn_;
  };

 private:
  // A stored tile with every hash inside it expanded: levels[j][k] is the
  // k-th hash of sub-level j (j = 0 holds the tile's own width hashes), so
  // reading a stored hash is a lookup instead of up to 255 SHA-256 calls.
  struct Expanded {
    int width = 0;
    std::vector<std::vector<crypto::Hash>> levels;
  };
  using Cached = std::shared_ptr<const Expanded>;
  // The widest stored tile at (level, n) holding at least `min_width` hashes.
  Result<Cached> Widest(internal::Conn& conn, int level, int64_t n, int min_width);

  const size_t cache_limit_;
  std::mutex mu_;
  std::map<std::pair<int, int64_t>, Cached> cache_;  // GUARDED_BY(mu_)
};

}  // namespace certledger::registry

#endif  // CERTLEDGER_REGISTRY_LEDGER_TILE_STORE_H_
