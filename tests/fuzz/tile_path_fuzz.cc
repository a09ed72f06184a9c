// crypto/tlog_tiles.h: tile paths and entry bundles (C2SP tlog-tiles).
// Invariants: ParseTilePath accepts exactly what TilePath writes
// (TilePath(ParseTilePath(p)) == p) and only valid tiles; ParseEntryBundle
// is exact (EncodeEntryBundle(ParseEntryBundle(b)) == b).
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/tlog_tiles.h"
#include "tests/fuzz/fuzz_registry.h"

using namespace certledger;
using namespace certledger::crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto t = ParseTilePath(in); t.ok()) {
    CERTLEDGER_FUZZ_CHECK(t->level >= kEntriesLevel && t->level <= kMaxTileLevel, "level range");
    CERTLEDGER_FUZZ_CHECK(t->n >= 0, "index >= 0");
    CERTLEDGER_FUZZ_CHECK(t->width >= 1 && t->width <= kTileWidth, "width range");
    CERTLEDGER_FUZZ_CHECK(TilePath(*t) == in, "tile path parse/format is exact");
  }
  if (auto entries = ParseEntryBundle(in); entries.ok()) {
    CERTLEDGER_FUZZ_CHECK(!entries->empty() && entries->size() <= kTileWidth, "bundle size");
    auto back = EncodeEntryBundle(*entries);
    CERTLEDGER_FUZZ_CHECK(back.ok() && *back == in, "entry bundle parse/encode is exact");
    Tile tile{kEntriesLevel, 0, static_cast<int>(entries->size())};
    CERTLEDGER_FUZZ_CHECK(ParseEntryBundle(in, tile).ok(), "bundle matches its own width");
  }
  return 0;
}
