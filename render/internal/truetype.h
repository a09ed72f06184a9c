// A read-only TrueType ('glyf') font and a glyph subsetter, just enough to embed
// per-document subsets in PDF as CIDFontType2 programs (ISO 32000-1 9.9 "Embedded
// Font Programs", FontFile2). Parsing follows the OpenType spec, tables cmap,
// head, hhea, hmtx, maxp, loca, glyf, OS/2 and post.
//
// A TrueTypeFont is immutable after Parse and safe to share between threads.
#ifndef CERTLEDGER_RENDER_INTERNAL_TRUETYPE_H_
#define CERTLEDGER_RENDER_INTERNAL_TRUETYPE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/status.h"

namespace certledger::render::internal {

class TrueTypeFont {
 public:
  // Parses a whole .ttf file. Returns kInvalidArgument "render.font-invalid" when
  // the bytes are not a TrueType-outline font with a Unicode cmap.
  static Result<std::unique_ptr<TrueTypeFont>> Parse(std::string bytes);

  TrueTypeFont(const TrueTypeFont&) = delete;
  TrueTypeFont& operator=(const TrueTypeFont&) = delete;

  // The glyph for a Unicode code point, or 0 (.notdef) when the font lacks it.
  uint16_t GlyphFor(char32_t cp) const;
  // Advance width of `gid` in font units. REQUIRES: gid < num_glyphs().
  uint16_t Advance(uint16_t gid) const;

  int num_glyphs() const { return num_glyphs_; }
  int units_per_em() const { return units_per_em_; }
  int ascent() const { return ascent_; }          // font units, hhea
  int descent() const { return descent_; }        // font units, negative
  int cap_height() const { return cap_height_; }  // font units, OS/2 or estimated
  int x_min() const { return x_min_; }
  int y_min() const { return y_min_; }
  int x_max() const { return x_max_; }
  int y_max() const { return y_max_; }
  double italic_angle() const { return italic_angle_; }
  bool bold() const { return bold_; }
  // The PostScript name (name ID 6), e.g. "DejaVuSans-Bold"; never empty.
  const std::string& postscript_name() const { return postscript_name_; }

  // Builds a font program holding the glyphs `glyphs` (old glyph ids) in that
  // order as new glyph ids 0..n-1, followed by any composite-glyph components not
  // already listed (their old ids are appended to `*glyphs`). Hinting programs and
  // glyph instructions are dropped (PDF viewers rasterise unhinted). The result
  // has tables OS/2, cmap (Unicode -> new glyph, from `unicode_of_new_gid`),
  // glyf, head, hhea, hmtx, loca, maxp, post.
  // REQUIRES: (*glyphs)[0] == 0 and every id < num_glyphs().
  Result<std::string> Subset(std::vector<uint16_t>* glyphs,
                             const std::vector<char32_t>& unicode_of_new_gid) const;

 private:
  TrueTypeFont() = default;
  std::string_view Table(uint32_t tag) const;
  std::string_view GlyphData(uint16_t gid) const;

  std::string bytes_;
  std::string_view hmtx_, glyf_;  // views into bytes_, cached for the hot paths
  std::unordered_map<uint32_t, std::pair<uint32_t, uint32_t>> tables_;  // tag -> offset, length
  std::vector<uint16_t> bmp_map_;                                       // 65,536 entries
  std::unordered_map<char32_t, uint16_t> astral_map_;                   // code points above U+FFFF
  std::vector<uint32_t> loca_;  // num_glyphs + 1 offsets into glyf
  int num_glyphs_ = 0;
  int num_hmetrics_ = 0;
  int units_per_em_ = 1000;
  int ascent_ = 0, descent_ = 0, cap_height_ = 0;
  int x_min_ = 0, y_min_ = 0, x_max_ = 0, y_max_ = 0;
  double italic_angle_ = 0;
  bool bold_ = false;
  std::string postscript_name_;
};

}  // namespace certledger::render::internal

#endif  // CERTLEDGER_RENDER_INTERNAL_TRUETYPE_H_
