#include "crypto/tlog_tiles.h"

#include <bit>
#include <cassert>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

namespace certledger::crypto {
namespace {

Status BadPath(std::string_view path, std::string_view why) {
  return Status::InvalidArgument(
      "tlog.bad-tile-path",
      "\"" + std::string(path) + "\" is not a tlog-tiles path: " + std::string(why));
}
Status BadTile(std::string msg) { return Status::InvalidArgument("tlog.bad-tile", std::move(msg)); }
Status BadBundle(std::string msg) {
  return Status::InvalidArgument("tlog.bad-bundle", std::move(msg));
}
Status TileMismatch(std::string msg) {
  return Status::DataLoss("tlog.tile-mismatch", std::move(msg));
}

bool IsValidTile(const Tile& t) {
  return t.level >= kEntriesLevel && t.level <= kMaxTileLevel && t.n >= 0 && t.width >= 1 &&
         t.width <= kTileWidth;
}

std::string Describe(const Tile& t) {
  return IsValidTile(t) ? TilePath(t)
                        : "tile{level " + std::to_string(t.level) + ", n " + std::to_string(t.n) +
                              ", width " + std::to_string(t.width) + "}";
}

// Whether shifting a tree size right by 8 * level is defined and non-zero.
bool LevelExists(int64_t size, int level) {
  return kTileHeight * level < 63 && (size >> (kTileHeight * level)) > 0;
}

// tileForIndex in x/mod: the tile holding a stored hash, and the byte range of
// the tile's level-0 hashes that hash to it.
struct TileSlot {
  Tile tile;
  int64_t start = 0;  // bytes
  int64_t end = 0;
};
TileSlot SlotForIndex(int64_t index) {
  TreeCoord c = SplitStoredHashIndex(index);
  TileSlot s;
  s.tile.level = c.level / kTileHeight;
  int level = c.level - s.tile.level * kTileHeight;  // level within the tile
  s.tile.n = (c.n << level) >> kTileHeight;
  int64_t n = c.n - ((s.tile.n << kTileHeight) >> level);  // index within the tile at `level`
  s.tile.width = static_cast<int>((n + 1) << level);
  s.start = (n << level) * kHashSize;
  s.end = ((n + 1) << level) * kHashSize;
  return s;
}

// The MTH of the hashes in `data` (a power of two of them).
Hash HashOfTileHashes(std::string_view data) {
  assert(!data.empty() && data.size() % kHashSize == 0);
  if (data.size() == kHashSize) {
    Hash h;
    std::memcpy(h.data(), data.data(), kHashSize);
    return h;
  }
  size_t half = data.size() / 2;
  return NodeHash(HashOfTileHashes(data.substr(0, half)), HashOfTileHashes(data.substr(half)));
}

// tileParent in x/mod: t's k-th ancestor tile in the tile set of a tree of
// size `size`, with the width that tree gives it; nullopt if none.
std::optional<Tile> TileParent(Tile t, int k, int64_t size) {
  t.level += k;
  t.n >>= k * kTileHeight;
  t.width = kTileWidth;
  int shift = t.level * kTileHeight;
  int64_t max = shift < 63 ? (size >> shift) : 0;
  int64_t start = t.n << kTileHeight;
  if (start + t.width >= max) {
    if (start >= max) return std::nullopt;
    t.width = static_cast<int>(max - start);
  }
  return t;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses at most `max_digits` decimal digits (no sign). The caller checks the
// canonical form.
bool ParseSmallDecimal(std::string_view s, size_t max_digits, int64_t* out) {
  if (!AllDigits(s) || s.size() > max_digits) return false;
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  *out = v;
  return true;
}

}  // namespace

std::string EncodeTileIndex(int64_t n) {
  assert(n >= 0);
  // tlog-tiles "Merkle Tree": 1234067 -> "x001/x234/067".
  std::string out;
  char buf[4];
  int64_t groups[8];
  int count = 0;
  do {
    groups[count++] = n % 1000;
    n /= 1000;
  } while (n > 0);
  for (int i = count - 1; i >= 0; --i) {
    if (i > 0) out += 'x';
    std::snprintf(buf, sizeof(buf), "%03d", static_cast<int>(groups[i]));
    out += buf;
    if (i > 0) out += '/';
  }
  return out;
}

std::string TilePath(const Tile& tile) {
  assert(IsValidTile(tile));
  // tlog-tiles "Merkle Tree" (tile/<L>/<N>[.p/<W>]) and "Log entries"
  // (tile/entries/<N>[.p/<W>]).
  std::string path = "tile/";
  path += tile.is_entries() ? std::string("entries") : std::to_string(tile.level);
  path += '/';
  path += EncodeTileIndex(tile.n);
  if (!tile.is_full()) {
    path += ".p/";
    path += std::to_string(tile.width);
  }
  return path;
}

Result<Tile> ParseTilePath(std::string_view path) {
  constexpr std::string_view kPrefix = "tile/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return BadPath(path, "must start with tile/");
  std::string_view rest = path.substr(kPrefix.size());

  Tile tile;
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return BadPath(path, "no tile index");
  std::string_view level = rest.substr(0, slash);
  rest = rest.substr(slash + 1);
  if (level == "entries") {
    tile.level = kEntriesLevel;
  } else {
    int64_t l = 0;
    // "<L> MUST be a decimal ASCII integer between 0 and 63, with no
    // additional leading zeroes."
    if (!ParseSmallDecimal(level, 2, &l) || l > kMaxTileLevel) {
      return BadPath(path, "level must be 0..63 or \"entries\"");
    }
    tile.level = static_cast<int>(l);
  }

  // "<W> [...] a decimal ASCII integer between 1 and 255": only on partial
  // tiles.
  std::string_view index = rest;
  size_t dot = rest.find(".p/");
  if (dot != std::string_view::npos) {
    index = rest.substr(0, dot);
    int64_t w = 0;
    if (!ParseSmallDecimal(rest.substr(dot + 3), 3, &w) || w < 1 || w >= kTileWidth) {
      return BadPath(path, "partial width must be 1..255");
    }
    tile.width = static_cast<int>(w);
  }

  // "<N> [...] zero-padded 3-digit path elements. All but the last path
  // element MUST begin with an x."
  int64_t n = 0;
  int groups = 0;
  while (true) {
    slash = index.find('/');
    bool last = slash == std::string_view::npos;
    std::string_view elem = last ? index : index.substr(0, slash);
    if (!last) {
      if (elem.size() != 4 || elem[0] != 'x') {
        return BadPath(path, "index elements but the last must be x<3 digits>");
      }
      elem.remove_prefix(1);
    }
    int64_t g = 0;
    if (elem.size() != 3 || !ParseSmallDecimal(elem, 3, &g)) {
      return BadPath(path, "index elements must have 3 digits");
    }
    if (++groups > 7 || n > (std::numeric_limits<int64_t>::max() - g) / 1000) {
      return BadPath(path, "index too large");
    }
    n = n * 1000 + g;
    if (last) break;
    index = index.substr(slash + 1);
  }
  tile.n = n;

  // Canonical form only: this rejects "x000/..." and anything TilePath would
  // not write.
  if (TilePath(tile) != path) return BadPath(path, "not in canonical form");
  return tile;
}

std::vector<TileLevel> TileLevelsForSize(int64_t size) {
  assert(size >= 0);
  // tlog-tiles "Partial Tiles": "The partial tile at level l for a tree of
  // size s has floor(s / 256**l) mod 256 entries."
  std::vector<TileLevel> levels;
  for (int l = 0; LevelExists(size, l); ++l) {
    int64_t hashes = size >> (kTileHeight * l);
    levels.push_back(TileLevel{l, hashes / kTileWidth, static_cast<int>(hashes % kTileWidth)});
  }
  return levels;
}

std::vector<Tile> TilesForSize(int64_t size) {
  std::vector<Tile> tiles;
  for (const TileLevel& lv : TileLevelsForSize(size)) {
    int64_t count = lv.full_tiles + (lv.partial_width > 0 ? 1 : 0);
    for (int64_t n = 0; n < count; ++n) {
      int width = n < lv.full_tiles ? kTileWidth : lv.partial_width;
      tiles.push_back(Tile{lv.level, n, width});
      if (lv.level == 0) tiles.push_back(Tile{kEntriesLevel, n, width});
    }
  }
  return tiles;
}

std::vector<Tile> PartialTilesForSize(int64_t size) {
  std::vector<Tile> tiles;
  for (const TileLevel& lv : TileLevelsForSize(size)) {
    if (lv.partial_width > 0) tiles.push_back(Tile{lv.level, lv.full_tiles, lv.partial_width});
  }
  return tiles;
}

std::vector<Tile> NewTiles(int64_t old_size, int64_t new_size) {
  assert(0 <= old_size && old_size <= new_size);
  std::vector<Tile> tiles;
  for (int l = 0; LevelExists(new_size, l); ++l) {
    int64_t old_n = old_size >> (kTileHeight * l);
    int64_t new_n = new_size >> (kTileHeight * l);
    if (old_n == new_n) continue;
    for (int64_t n = old_n / kTileWidth; n < new_n / kTileWidth; ++n) {
      tiles.push_back(Tile{l, n, kTileWidth});
    }
    int64_t n = new_n / kTileWidth;
    int w = static_cast<int>(new_n % kTileWidth);
    if (w > 0) tiles.push_back(Tile{l, n, w});
  }
  return tiles;
}

std::vector<Tile> NewEntryBundles(int64_t old_size, int64_t new_size) {
  std::vector<Tile> bundles;
  for (Tile t : NewTiles(old_size, new_size)) {
    if (t.level != 0) break;
    t.level = kEntriesLevel;
    bundles.push_back(t);
  }
  return bundles;
}

Tile TileForIndex(int64_t stored_hash_index) { return SlotForIndex(stored_hash_index).tile; }

Result<std::string> ReadTileData(const Tile& tile, HashReader& reader) {
  if (!IsValidTile(tile) || tile.is_entries()) {
    return BadTile(Describe(tile) + " is not a hash tile");
  }
  std::vector<int64_t> indexes(tile.width);
  int64_t start = tile.n << kTileHeight;
  for (int i = 0; i < tile.width; ++i) {
    indexes[i] = StoredHashIndex(kTileHeight * tile.level, start + i);
  }
  std::vector<Hash> hashes;
  CERTLEDGER_RETURN_IF_ERROR(reader.ReadHashes(indexes, &hashes));
  if (hashes.size() != indexes.size()) {
    return Status::Internal("merkle.bad-reader", "HashReader returned the wrong number of hashes");
  }
  std::string data;
  data.reserve(size_t(tile.width) * kHashSize);
  for (const Hash& h : hashes) data.append(AsStringView(h));
  return data;
}

Result<Hash> HashFromTile(const Tile& tile, std::string_view data, int64_t stored_hash_index) {
  if (!IsValidTile(tile) || tile.is_entries()) {
    return BadTile(Describe(tile) + " is not a hash tile");
  }
  if (data.size() != size_t(tile.width) * kHashSize) {
    return BadTile(TilePath(tile) + " has " + std::to_string(data.size()) + " bytes, want " +
                   std::to_string(tile.width * kHashSize));
  }
  if (stored_hash_index < 0) return BadTile("negative stored hash index");
  TileSlot s = SlotForIndex(stored_hash_index);
  if (s.tile.level != tile.level || s.tile.n != tile.n || s.tile.width > tile.width) {
    return BadTile("stored hash " + std::to_string(stored_hash_index) + " is in " +
                   TilePath(s.tile) + ", not " + TilePath(tile));
  }
  return HashOfTileHashes(data.substr(s.start, s.end - s.start));
}

TileHashReader::TileHashReader(int64_t tree_size, const Hash& root, TileFetcher fetch)
    : tree_size_(tree_size), root_(root), fetch_(std::move(fetch)) {
  assert(tree_size >= 0);
}

Status TileHashReader::ReadHashes(std::span<const int64_t> indexes, std::vector<Hash>* out) {
  // x/mod tlog.TileHashReader: plan the tiles needed for the root (the
  // right edge) and for each index with its ancestors up to an already
  // planned tile, parents before children; fetch; authenticate the right
  // edge against the root and every other tile against its parent; only
  // then read hashes out of the tiles.
  out->clear();
  if (indexes.empty()) return Status::Ok();
  const int64_t limit = StoredHashIndex(0, tree_size_);
  for (int64_t x : indexes) {
    if (x < 0 || x >= limit) {
      return Status::InvalidArgument("tlog.bad-argument", "stored hash " + std::to_string(x) +
                                                              " is not in the tree of size " +
                                                              std::to_string(tree_size_));
    }
  }

  std::vector<Tile> tiles;
  std::map<Tile, size_t> order;
  auto plan = [&](const Tile& t) {
    auto [it, inserted] = order.emplace(t, tiles.size());
    if (inserted) tiles.push_back(t);
    return it->second;
  };

  // The tiles that hold the complete subtrees of the root.
  std::vector<int64_t> root_indexes;
  for (int64_t lo = 0; lo < tree_size_;) {
    int64_t k = static_cast<int64_t>(std::bit_floor(uint64_t(tree_size_ - lo)));
    int level = std::countr_zero(uint64_t(k));
    root_indexes.push_back(StoredHashIndex(level, lo >> level));
    lo += k;
  }
  std::vector<size_t> root_tile(root_indexes.size());
  for (size_t i = 0; i < root_indexes.size(); ++i) {
    std::optional<Tile> t = TileParent(TileForIndex(root_indexes[i]), 0, tree_size_);
    assert(t.has_value());
    root_tile[i] = plan(*t);
  }
  const size_t num_root_tiles = tiles.size();

  std::vector<size_t> index_tile(indexes.size());
  for (size_t i = 0; i < indexes.size(); ++i) {
    Tile base = TileForIndex(indexes[i]);
    // Walk up to the first ancestor already planned (the right edge is
    // always reached), then plan the tiles below it, parents first.
    int k = 0;
    for (;; ++k) {
      std::optional<Tile> p = TileParent(base, k, tree_size_);
      if (p.has_value() && order.count(*p) != 0) break;
      if (!p.has_value() || k > kMaxTileLevel) {
        return Status::Internal("tlog.bad-math", "lost the parent of " + TilePath(base));
      }
    }
    for (int j = k - 1; j >= 0; --j) {
      std::optional<Tile> p = TileParent(base, j, tree_size_);
      if (!p.has_value() || !p->is_full()) {
        return Status::Internal("tlog.bad-math", "a tile with a parent must be full");
      }
      plan(*p);
    }
    index_tile[i] = order.at(*TileParent(base, 0, tree_size_));
  }

  // Fetch what is not cached, checking lengths.
  std::vector<std::string> fetched(tiles.size());
  std::vector<const std::string*> data(tiles.size());
  std::vector<bool> trusted(tiles.size(), false);
  for (size_t i = 0; i < tiles.size(); ++i) {
    auto it = verified_.find(tiles[i]);
    if (it != verified_.end()) {
      data[i] = &it->second;
      trusted[i] = true;
      continue;
    }
    Result<std::string> r = fetch_(tiles[i]);
    CERTLEDGER_RETURN_IF_ERROR(r);
    fetched[i] = std::move(r).value();
    if (fetched[i].size() != size_t(tiles[i].width) * kHashSize) {
      return TileMismatch(TilePath(tiles[i]) + " has " + std::to_string(fetched[i].size()) +
                          " bytes, want " + std::to_string(tiles[i].width * kHashSize));
    }
    data[i] = &fetched[i];
  }

  // Authenticate the right edge against the trusted root.
  bool edge_trusted = true;
  for (size_t i = 0; i < num_root_tiles; ++i) edge_trusted = edge_trusted && trusted[i];
  if (!edge_trusted) {
    Hash th{};
    for (size_t i = root_indexes.size(); i-- > 0;) {
      size_t j = root_tile[i];
      CERTLEDGER_ASSIGN_OR_RETURN(Hash h, HashFromTile(tiles[j], *data[j], root_indexes[i]));
      th = (i + 1 == root_indexes.size()) ? h : NodeHash(h, th);
    }
    if (th != root_) {
      return TileMismatch("the tiles on the right edge of the tree of size " +
                          std::to_string(tree_size_) +
                          " do not hash to the trusted root: a stored tile is corrupt");
    }
  }
  // Authenticate every other tile against its (already authenticated)
  // parent.
  for (size_t i = num_root_tiles; i < tiles.size(); ++i) {
    if (trusted[i]) continue;
    std::optional<Tile> p = TileParent(tiles[i], 1, tree_size_);
    auto it = p.has_value() ? order.find(*p) : order.end();
    if (it == order.end()) {
      return Status::Internal("tlog.bad-math", "lost the parent of " + TilePath(tiles[i]));
    }
    size_t j = it->second;
    CERTLEDGER_ASSIGN_OR_RETURN(
        Hash want, HashFromTile(*p, *data[j], StoredHashIndex(p->level * kTileHeight, tiles[i].n)));
    if (HashOfTileHashes(*data[i]) != want) {
      return TileMismatch(TilePath(tiles[i]) + " does not hash to its entry in " + TilePath(*p) +
                          ": a stored tile is corrupt");
    }
  }

  // Everything is authenticated: cache, then read the hashes.
  for (size_t i = 0; i < tiles.size(); ++i) {
    if (!trusted[i]) {
      auto [it, inserted] = verified_.emplace(tiles[i], std::move(fetched[i]));
      data[i] = &it->second;
    }
  }
  out->resize(indexes.size());
  for (size_t i = 0; i < indexes.size(); ++i) {
    size_t j = index_tile[i];
    CERTLEDGER_ASSIGN_OR_RETURN((*out)[i], HashFromTile(tiles[j], *data[j], indexes[i]));
  }
  return Status::Ok();
}

Status AppendToEntryBundle(std::string_view entry, std::string* bundle) {
  // tlog-tiles "Log entries": "sequences of big-endian uint16
  // length-prefixed log entries".
  if (entry.size() > 0xffff) {
    return Status::InvalidArgument("tlog.entry-too-large",
                                   "an entry of " + std::to_string(entry.size()) +
                                       " bytes does not fit a uint16 length prefix");
  }
  bundle->push_back(static_cast<char>(entry.size() >> 8));
  bundle->push_back(static_cast<char>(entry.size() & 0xff));
  bundle->append(entry);
  return Status::Ok();
}

Result<std::string> EncodeEntryBundle(std::span<const std::string> entries) {
  std::string bundle;
  size_t total = 0;
  for (const std::string& e : entries) total += 2 + e.size();
  bundle.reserve(total);
  for (const std::string& e : entries) CERTLEDGER_RETURN_IF_ERROR(AppendToEntryBundle(e, &bundle));
  return bundle;
}

Result<std::vector<std::string>> ParseEntryBundle(std::string_view bundle) {
  if (bundle.empty()) return BadBundle("empty entry bundle");
  std::vector<std::string> entries;
  size_t pos = 0;
  while (pos < bundle.size()) {
    if (entries.size() == size_t(kTileWidth)) {
      return BadBundle("entry bundle holds more than 256 entries");
    }
    if (bundle.size() - pos < 2) return BadBundle("entry bundle ends inside a length prefix");
    size_t len = (size_t(uint8_t(bundle[pos])) << 8) | uint8_t(bundle[pos + 1]);
    pos += 2;
    if (bundle.size() - pos < len) {
      return BadBundle("entry " + std::to_string(entries.size()) + " of the bundle is truncated");
    }
    entries.emplace_back(bundle.substr(pos, len));
    pos += len;
  }
  return entries;
}

Result<std::vector<std::string>> ParseEntryBundle(std::string_view bundle, const Tile& tile) {
  assert(tile.is_entries());
  CERTLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> entries, ParseEntryBundle(bundle));
  if (entries.size() != size_t(tile.width)) {
    return BadBundle(TilePath(tile) + " holds " + std::to_string(entries.size()) +
                     " entries, want " + std::to_string(tile.width));
  }
  return entries;
}

}  // namespace certledger::crypto
