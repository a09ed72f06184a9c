#include "render/internal/truetype.h"

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "render/fonts.h"
#include "tests/test_util.h"

namespace certledger::render::internal {
namespace {

uint16_t U16(const std::string& d, size_t off) {
  return uint16_t((uint8_t(d[off]) << 8) | uint8_t(d[off + 1]));
}
uint32_t U32(const std::string& d, size_t off) {
  return (uint32_t(U16(d, off)) << 16) | U16(d, off + 2);
}

TEST_CASE(
    "truetype: a subset keeps the requested glyphs first, adds components, and "
    "re-parses with the same metrics",
    "[render]") {
  auto font = TrueTypeFont::Parse(testing::ReadFile(FontSet::kDefaultRegular));
  REQUIRE(font.ok());
  const TrueTypeFont& f = **font;
  const std::u32string text = U"Иванова Ёлка йод, Python";
  std::vector<uint16_t> glyphs{0};
  std::vector<char32_t> unicode{0};
  for (char32_t cp : text) {
    uint16_t g = f.GlyphFor(cp);
    REQUIRE(g != 0);
    if (std::find(glyphs.begin(), glyphs.end(), g) == glyphs.end()) {
      glyphs.push_back(g);
      unicode.push_back(cp);
    }
  }
  const size_t requested = glyphs.size();
  auto subset = f.Subset(&glyphs, unicode);
  REQUIRE(subset.ok());
  CHECK(glyphs.size() >= requested);
  CHECK(subset->size() < 40 * 1024);
  // The head checksum adjustment makes the whole file sum to 0xB1B0AFBA.
  uint32_t sum = 0;
  std::string padded = *subset;
  while (padded.size() % 4) padded.push_back('\0');
  for (size_t i = 0; i < padded.size(); i += 4) sum += U32(padded, i);
  CHECK(sum == 0xB1B0AFBAu);
  auto again = TrueTypeFont::Parse(*subset);
  REQUIRE(again.ok());
  const TrueTypeFont& s = **again;
  CHECK(s.num_glyphs() == int(glyphs.size()));
  CHECK(s.units_per_em() == f.units_per_em());
  for (size_t i = 1; i < requested; ++i) {
    INFO("glyph " << i);
    CHECK(s.GlyphFor(unicode[i]) == i);  // the subset's cmap maps to the new ids
    CHECK(s.Advance(uint16_t(i)) == f.Advance(glyphs[i]));
  }
}

TEST_CASE("truetype: truncated or corrupted fonts are errors, never crashes", "[render]") {
  const std::string full = testing::ReadFile(FontSet::kDefaultRegular);
  for (size_t len : {size_t(0), size_t(4), size_t(11), size_t(12), size_t(100), size_t(400),
                     size_t(5000), full.size() / 2, full.size() - 1}) {
    INFO("length " << len);
    auto r = TrueTypeFont::Parse(full.substr(0, len));
    if (!r.ok()) CHECK(r.status().slug() == "render.font-invalid");
  }
  // Flip bytes across the table directory and the first tables.
  for (size_t at = 4; at < 2000; at += 7) {
    std::string bad = full;
    bad[at] = char(~bad[at]);
    auto r = TrueTypeFont::Parse(bad);
    if (!r.ok()) {
      CHECK(r.status().slug() == "render.font-invalid");
      continue;
    }
    std::vector<uint16_t> glyphs{0, (*r)->GlyphFor(U'Ж'), (*r)->GlyphFor(U'ё')};
    if (glyphs[1] == 0 || glyphs[2] == 0 || glyphs[1] == glyphs[2]) continue;
    auto subset = (*r)->Subset(&glyphs, {0, U'Ж', U'ё'});
    (void)subset;
  }
  CHECK(TrueTypeFont::Parse("OTTO" + std::string(100, '\0')).status().slug() ==
        "render.font-invalid");
}

}  // namespace
}  // namespace certledger::render::internal
