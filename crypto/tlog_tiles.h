// C2SP tlog-tiles (https://c2sp.org/tlog-tiles, copy in
// ../shared/specs/tlog-tiles.md): tile and entry-bundle paths, the tile set of
// a tree, tile contents, entry bundles, and a HashReader that serves hashes
// from published tiles and authenticates every tile against a trusted
// checkpoint (x/mod sumdb/tlog's TileHashReader).
//
// This file is the only place where tile paths are built or parsed (STYLE.md,
// "Ledger"); the registry's tile store and certverify both use it.
//
// The tile height is fixed at 8 (256 hashes per full tile), as tlog-tiles
// requires. Paths are relative to the log prefix ("tile/0/000", never
// "/tile/..." or "<prefix>/tile/...").
//
// Free functions are pure and thread-safe. TileHashReader is not thread-safe
// (it caches authenticated tiles); use one per thread.
#ifndef CERTLEDGER_CRYPTO_TLOG_TILES_H_
#define CERTLEDGER_CRYPTO_TLOG_TILES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/merkle.h"
#include "crypto/status.h"

namespace certledger::crypto {

// tlog-tiles "Merkle Tree": tiles have height 8 and full tiles are 256 hashes
// (8,192 bytes) wide. Part of the published format: do not change.
inline constexpr int kTileHeight = 8;
inline constexpr int kTileWidth = 256;
// The largest level a tile path may name (tlog-tiles: "between 0 and 63").
inline constexpr int kMaxTileLevel = 63;
// Tile::level of an entry bundle (tile/entries/...). Entry bundles cover the
// same leaves as the level-0 tile with the same index and width.
inline constexpr int kEntriesLevel = -1;

// A hash tile (level >= 0) or an entry bundle (level == kEntriesLevel).
// `n` is the tile's index within its level; `width` is the number of hashes
// (or entries), 1..256; width 256 is a full tile, anything less a partial tile
// (".p/<W>"). A tile at level L, index N holds the hashes
// MTH(D[(N*256 + i) * 256^L : (N*256 + i + 1) * 256^L]) for i < width.
struct Tile {
  int level = 0;
  int64_t n = 0;
  int width = kTileWidth;

  bool is_entries() const { return level == kEntriesLevel; }
  bool is_full() const { return width == kTileWidth; }
  bool operator==(const Tile&) const = default;
  auto operator<=>(const Tile&) const = default;
};

// "000", "x001/234", "x001/x234/067": the <N> path encoding (tlog-tiles
// "Merkle Tree": zero-padded 3-digit elements, all but the last prefixed with
// 'x'). REQUIRES: n >= 0.
std::string EncodeTileIndex(int64_t n);

// "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]" (tlog-tiles "Merkle
// Tree", "Log entries"). REQUIRES: a valid tile (level in -1..63, n >= 0,
// width in 1..256).
std::string TilePath(const Tile& tile);

// Parses a path exactly as TilePath writes it, and nothing else: the level
// has no leading zeros and is at most 63; each index element has exactly
// three digits, all but the last start with 'x', the first is not "x000";
// the width has no leading zeros and is 1..255 (a full tile has no .p/);
// no empty, "." or ".." elements, no leading or trailing '/', and no x/mod
// "tile/8/..." or "tile/data/..." names. kInvalidArgument
// "tlog.bad-tile-path" otherwise.
Result<Tile> ParseTilePath(std::string_view path);

// One level of a tree's tile set (tlog-tiles "Partial Tiles"): tiles
// 0..full_tiles-1 are full, and tile full_tiles has partial_width hashes if
// partial_width > 0, where partial_width = floor(size / 256^level) mod 256.
struct TileLevel {
  int level = 0;
  int64_t full_tiles = 0;
  int partial_width = 0;
  bool operator==(const TileLevel&) const = default;
};
// The levels of the tile set of a tree of `size` leaves; empty for size 0.
// REQUIRES: size >= 0.
std::vector<TileLevel> TileLevelsForSize(int64_t size);
// Every hash tile and entry bundle of a tree of `size` leaves: level by level
// from 0, index by index, each level-0 tile followed by its entry bundle.
// O(size / 256) tiles. REQUIRES: size >= 0.
std::vector<Tile> TilesForSize(int64_t size);
// The partial hash tiles of a tree of `size` leaves (its right edge), lowest
// level first. REQUIRES: size >= 0.
std::vector<Tile> PartialTilesForSize(int64_t size);

// The hash tiles that change when the tree grows from old_size to new_size:
// the full tiles completed and the new partial tiles, level by level (x/mod
// tlog.NewTiles). Writing these for every published size yields exactly the
// tile set tlog-tiles requires. REQUIRES: 0 <= old_size <= new_size.
std::vector<Tile> NewTiles(int64_t old_size, int64_t new_size);
// The entry bundles that change when the tree grows from old_size to
// new_size (the level-0 tiles of NewTiles, as bundles).
// REQUIRES: 0 <= old_size <= new_size.
std::vector<Tile> NewEntryBundles(int64_t old_size, int64_t new_size);

// The smallest tile that holds the stored hash `stored_hash_index` (a tile of
// level L holds the stored hashes of levels 8L..8L+7; an interior hash is
// recomputed from the tile's hashes). REQUIRES: stored_hash_index >= 0.
Tile TileForIndex(int64_t stored_hash_index);

// The bytes of hash tile `tile` (width concatenated 32-byte hashes) read
// from `reader` in one call. kInvalidArgument "tlog.bad-tile" for an entry
// bundle or an invalid tile; reader errors.
Result<std::string> ReadTileData(const Tile& tile, HashReader& reader);

// The stored hash `stored_hash_index` computed from the bytes of hash tile
// `tile`. kInvalidArgument "tlog.bad-tile" if the tile is invalid or not a
// hash tile, `data` is not exactly width * 32 bytes, or the index is not in
// the tile.
Result<Hash> HashFromTile(const Tile& tile, std::string_view data, int64_t stored_hash_index);

// Fetches the bytes of a hash tile (for example from a directory or over
// HTTP). The tile's width is the one the trusted tree size requires. Errors
// are passed up unchanged (kNotFound, kUnavailable...).
using TileFetcher = std::function<Result<std::string>(const Tile&)>;

// A HashReader over published tiles for a trusted tree (size and root, from a
// verified checkpoint). Every tile it reads is authenticated before any hash
// from it is returned: the tiles on the right edge must hash to the root,
// and every other tile must hash to the entry in its parent tile (x/mod
// tlog.TileHashReader). Authenticated tiles are cached for the reader's
// lifetime (at most 8 KiB per tile read), so later calls fetch only new
// tiles. Not thread-safe.
class TileHashReader final : public HashReader {
 public:
  // REQUIRES: tree_size >= 0; `root` is the trusted root for tree_size.
  TileHashReader(int64_t tree_size, const Hash& root, TileFetcher fetch);

  // Errors: kInvalidArgument "tlog.bad-argument" for an index not in the
  // tree; kDataLoss "tlog.tile-mismatch" if a tile has the wrong length or
  // does not authenticate against the root (nothing is cached then);
  // fetcher errors unchanged.
  Status ReadHashes(std::span<const int64_t> indexes, std::vector<Hash>* out) override;

  int64_t tree_size() const { return tree_size_; }
  const Hash& root() const { return root_; }

 private:
  const int64_t tree_size_;
  const Hash root_;
  const TileFetcher fetch_;
  std::map<Tile, std::string> verified_;  // authenticated tile bytes
};

// tlog-tiles "Log entries": an entry bundle is the entries, each prefixed
// with its length as a big-endian uint16. kInvalidArgument
// "tlog.entry-too-large" if an entry is longer than 65535 bytes.
Result<std::string> EncodeEntryBundle(std::span<const std::string> entries);
// Appends one length-prefixed entry to *bundle (same errors).
Status AppendToEntryBundle(std::string_view entry, std::string* bundle);
// Splits a bundle into its entries. kInvalidArgument "tlog.bad-bundle" if it
// is empty, has a truncated length or entry, or holds more than 256 entries.
Result<std::vector<std::string>> ParseEntryBundle(std::string_view bundle);
// As above, and the bundle must hold exactly tile.width entries.
// REQUIRES: tile.is_entries().
Result<std::vector<std::string>> ParseEntryBundle(std::string_view bundle, const Tile& tile);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_TLOG_TILES_H_
