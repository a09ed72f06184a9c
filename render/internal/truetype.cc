#include "render/internal/truetype.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace certledger::render::internal {
namespace {

constexpr uint32_t Tag(const char* s) {
  return (uint32_t(uint8_t(s[0])) << 24) | (uint32_t(uint8_t(s[1])) << 16) |
         (uint32_t(uint8_t(s[2])) << 8) | uint32_t(uint8_t(s[3]));
}

uint16_t U16(std::string_view d, size_t off) {
  if (off + 2 > d.size()) return 0;
  return uint16_t((uint8_t(d[off]) << 8) | uint8_t(d[off + 1]));
}
int16_t S16(std::string_view d, size_t off) { return int16_t(U16(d, off)); }
uint32_t U32(std::string_view d, size_t off) {
  if (off + 4 > d.size()) return 0;
  return (uint32_t(uint8_t(d[off])) << 24) | (uint32_t(uint8_t(d[off + 1])) << 16) |
         (uint32_t(uint8_t(d[off + 2])) << 8) | uint32_t(uint8_t(d[off + 3]));
}

void Put16(std::string* out, uint16_t v) {
  out->push_back(char(v >> 8));
  out->push_back(char(v & 0xff));
}
void Put32(std::string* out, uint32_t v) {
  Put16(out, uint16_t(v >> 16));
  Put16(out, uint16_t(v & 0xffff));
}
void Set16(std::string* out, size_t off, uint16_t v) {
  (*out)[off] = char(v >> 8);
  (*out)[off + 1] = char(v & 0xff);
}
void Set32(std::string* out, size_t off, uint32_t v) {
  Set16(out, off, uint16_t(v >> 16));
  Set16(out, off + 2, uint16_t(v & 0xffff));
}

uint32_t Checksum(std::string_view d) {
  uint32_t sum = 0;
  size_t i = 0;
  for (; i + 4 <= d.size(); i += 4) sum += U32(d, i);
  if (i < d.size()) {
    uint8_t tail[4] = {0, 0, 0, 0};
    std::memcpy(tail, d.data() + i, d.size() - i);
    sum +=
        (uint32_t(tail[0]) << 24) | (uint32_t(tail[1]) << 16) | (uint32_t(tail[2]) << 8) | tail[3];
  }
  return sum;
}

Status Invalid(std::string msg) {
  return Status::InvalidArgument("render.font-invalid", "TrueType font: " + std::move(msg));
}

// Composite glyph flags (OpenType 'glyf', "Composite Glyph Description").
constexpr uint16_t kArgsAreWords = 0x0001;
constexpr uint16_t kHaveScale = 0x0008;
constexpr uint16_t kMoreComponents = 0x0020;
constexpr uint16_t kHaveXYScale = 0x0040;
constexpr uint16_t kHaveTwoByTwo = 0x0080;
constexpr uint16_t kHaveInstructions = 0x0100;

size_t ComponentSize(uint16_t flags) {
  size_t n = 4 + ((flags & kArgsAreWords) ? 4 : 2);
  if (flags & kHaveScale) n += 2;
  if (flags & kHaveXYScale) n += 4;
  if (flags & kHaveTwoByTwo) n += 8;
  return n;
}

}  // namespace

std::string_view TrueTypeFont::Table(uint32_t tag) const {
  auto it = tables_.find(tag);
  if (it == tables_.end()) return {};
  return std::string_view(bytes_).substr(it->second.first, it->second.second);
}

std::string_view TrueTypeFont::GlyphData(uint16_t gid) const {
  std::string_view glyf = glyf_;
  uint32_t a = loca_[gid], b = loca_[gid + 1];
  if (b <= a || b > glyf.size()) return {};
  return glyf.substr(a, b - a);
}

Result<std::unique_ptr<TrueTypeFont>> TrueTypeFont::Parse(std::string bytes) {
  std::unique_ptr<TrueTypeFont> owner(new TrueTypeFont());
  TrueTypeFont& f = *owner;
  f.bytes_ = std::move(bytes);
  std::string_view d(f.bytes_);
  if (d.size() < 12) return Invalid("file too short");
  uint32_t version = U32(d, 0);
  if (version != 0x00010000 && version != Tag("true")) {
    return Invalid("not a TrueType-outline font (sfnt version " + std::to_string(version) + ")");
  }
  uint16_t num_tables = U16(d, 4);
  if (12 + size_t(num_tables) * 16 > d.size()) return Invalid("truncated table directory");
  for (uint16_t i = 0; i < num_tables; ++i) {
    size_t rec = 12 + size_t(i) * 16;
    uint32_t off = U32(d, rec + 8), len = U32(d, rec + 12);
    if (uint64_t(off) + len > d.size()) return Invalid("table out of bounds");
    f.tables_[U32(d, rec)] = {off, len};
  }
  for (const char* t : {"head", "hhea", "hmtx", "maxp", "loca", "glyf", "cmap"}) {
    if (!f.tables_.count(Tag(t))) {
      return Invalid(std::string("missing table ") + t);
    }
  }
  std::string_view head = f.Table(Tag("head"));
  std::string_view hhea = f.Table(Tag("hhea"));
  std::string_view maxp = f.Table(Tag("maxp"));
  if (head.size() < 54 || hhea.size() < 36 || maxp.size() < 6) return Invalid("short header");
  f.units_per_em_ = U16(head, 18);
  if (f.units_per_em_ < 16) return Invalid("bad unitsPerEm");
  f.x_min_ = S16(head, 36);
  f.y_min_ = S16(head, 38);
  f.x_max_ = S16(head, 40);
  f.y_max_ = S16(head, 42);
  f.bold_ = (U16(head, 44) & 1) != 0;
  int16_t loc_format = S16(head, 50);
  f.ascent_ = S16(hhea, 4);
  f.descent_ = S16(hhea, 6);
  f.num_hmetrics_ = U16(hhea, 34);
  f.num_glyphs_ = U16(maxp, 4);
  if (f.num_glyphs_ == 0 || f.num_hmetrics_ == 0 || f.num_hmetrics_ > f.num_glyphs_) {
    return Invalid("bad glyph counts");
  }
  if (f.Table(Tag("hmtx")).size() <
      size_t(f.num_hmetrics_) * 4 + size_t(f.num_glyphs_ - f.num_hmetrics_) * 2) {
    return Invalid("short hmtx");
  }
  // loca: num_glyphs + 1 offsets, short (x2) or long.
  std::string_view loca = f.Table(Tag("loca"));
  f.loca_.resize(size_t(f.num_glyphs_) + 1);
  for (size_t i = 0; i <= size_t(f.num_glyphs_); ++i) {
    if (loc_format == 0) {
      if (i * 2 + 2 > loca.size()) return Invalid("short loca");
      f.loca_[i] = uint32_t(U16(loca, i * 2)) * 2;
    } else {
      if (i * 4 + 4 > loca.size()) return Invalid("short loca");
      f.loca_[i] = U32(loca, i * 4);
    }
  }
  // OS/2 cap height (version >= 2), else estimate from the ascent.
  std::string_view os2 = f.Table(Tag("OS/2"));
  f.hmtx_ = f.Table(Tag("hmtx"));
  f.glyf_ = f.Table(Tag("glyf"));
  f.cap_height_ = (os2.size() >= 90 && U16(os2, 0) >= 2) ? S16(os2, 88) : f.ascent_ * 7 / 10;
  if (f.cap_height_ <= 0) f.cap_height_ = f.ascent_ * 7 / 10;
  std::string_view post = f.Table(Tag("post"));
  if (post.size() >= 8) f.italic_angle_ = int32_t(U32(post, 4)) / 65536.0;

  // cmap: prefer a full-repertoire subtable (3,10 or 0,4 format 12), then (3,1)/(0,x) format 4.
  std::string_view cmap = f.Table(Tag("cmap"));
  uint16_t nsub = U16(cmap, 2);
  std::string_view fmt4, fmt12;
  for (uint16_t i = 0; i < nsub; ++i) {
    uint16_t platform = U16(cmap, 4 + i * 8), encoding = U16(cmap, 6 + i * 8);
    uint32_t off = U32(cmap, 8 + i * 8);
    if (off + 4 > cmap.size()) continue;
    bool unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
    if (!unicode) continue;
    uint16_t format = U16(cmap, off);
    if (format == 4 && fmt4.empty()) {
      fmt4 = cmap.substr(off, std::min<size_t>(U16(cmap, off + 2), cmap.size() - off));
    } else if (format == 12 && fmt12.empty() && off + 8 <= cmap.size()) {
      fmt12 = cmap.substr(off, std::min<size_t>(U32(cmap, off + 4), cmap.size() - off));
    }
  }
  if (fmt4.empty() && fmt12.empty()) return Invalid("no Unicode cmap (format 4 or 12)");
  f.bmp_map_.assign(0x10000, 0);
  if (!fmt12.empty()) {
    uint32_t ngroups = U32(fmt12, 12);
    if (16 + uint64_t(ngroups) * 12 > fmt12.size()) return Invalid("short cmap format 12");
    for (uint32_t g = 0; g < ngroups; ++g) {
      uint32_t start = U32(fmt12, 16 + g * 12), end = U32(fmt12, 20 + g * 12),
               gid = U32(fmt12, 24 + g * 12);
      if (end < start || end > 0x10FFFF) continue;
      for (uint32_t cp = start; cp <= end; ++cp, ++gid) {
        if (gid >= uint32_t(f.num_glyphs_)) break;
        if (cp < 0x10000) {
          f.bmp_map_[cp] = uint16_t(gid);
        } else {
          f.astral_map_[cp] = uint16_t(gid);
        }
      }
    }
  } else {
    uint16_t segx2 = U16(fmt4, 6);
    size_t ends = 14, starts = ends + segx2 + 2, deltas = starts + segx2, ranges = deltas + segx2;
    if (ranges + segx2 > fmt4.size()) return Invalid("short cmap format 4");
    for (size_t s = 0; s < segx2 / 2u; ++s) {
      uint16_t end = U16(fmt4, ends + s * 2), start = U16(fmt4, starts + s * 2);
      uint16_t delta = U16(fmt4, deltas + s * 2), range = U16(fmt4, ranges + s * 2);
      if (end < start) continue;
      for (uint32_t cp = start; cp <= end; ++cp) {
        uint16_t gid;
        if (range == 0) {
          gid = uint16_t(cp + delta);
        } else {
          size_t at = ranges + s * 2 + range + (cp - start) * 2;
          uint16_t g = U16(fmt4, at);
          gid = g == 0 ? 0 : uint16_t(g + delta);
        }
        if (gid < f.num_glyphs_) f.bmp_map_[cp] = gid;
        if (cp == 0xFFFF) break;
      }
    }
  }

  // PostScript name: name ID 6, Windows (UTF-16BE) or Mac (ASCII) record.
  std::string_view name = f.Table(Tag("name"));
  if (name.size() >= 6) {
    uint16_t count = U16(name, 2), strings = U16(name, 4);
    for (uint16_t i = 0; i < count && f.postscript_name_.empty(); ++i) {
      size_t rec = 6 + size_t(i) * 12;
      if (rec + 12 > name.size()) break;
      uint16_t platform = U16(name, rec), id = U16(name, rec + 6);
      uint16_t len = U16(name, rec + 8), off = U16(name, rec + 10);
      if (id != 6 || size_t(strings) + off + len > name.size()) continue;
      std::string_view s = name.substr(size_t(strings) + off, len);
      std::string ps;
      if (platform == 3 || platform == 0) {
        for (size_t k = 0; k + 1 < s.size(); k += 2) ps += char(s[k + 1]);
      } else {
        ps = std::string(s);
      }
      for (char c : ps) {
        // PDF name-safe subset of PostScript names.
        if (c > 32 && c < 127 && !std::strchr("()<>[]{}/%#", c)) f.postscript_name_ += c;
      }
    }
  }
  if (f.postscript_name_.empty()) f.postscript_name_ = "Font";
  return owner;
}

uint16_t TrueTypeFont::GlyphFor(char32_t cp) const {
  if (cp < 0x10000) return bmp_map_[cp];
  auto it = astral_map_.find(cp);
  return it == astral_map_.end() ? 0 : it->second;
}

uint16_t TrueTypeFont::Advance(uint16_t gid) const {
  int i = std::min<int>(gid, num_hmetrics_ - 1);
  return U16(hmtx_, size_t(i) * 4);
}

Result<std::string> TrueTypeFont::Subset(std::vector<uint16_t>* glyphs,
                                         const std::vector<char32_t>& unicode_of_new_gid) const {
  if (glyphs->empty() || (*glyphs)[0] != 0) {
    return Status::Internal("render.font-subset", "glyph 0 must be .notdef");
  }
  std::unordered_map<uint16_t, uint16_t> new_id;
  for (size_t i = 0; i < glyphs->size(); ++i) {
    if ((*glyphs)[i] >= num_glyphs_) {
      return Status::Internal("render.font-subset", "glyph id out of range");
    }
    new_id.emplace((*glyphs)[i], uint16_t(i));
  }
  // Close over composite components (the list grows while we walk it).
  for (size_t i = 0; i < glyphs->size(); ++i) {
    std::string_view g = GlyphData((*glyphs)[i]);
    if (g.size() < 10 || S16(g, 0) >= 0) continue;
    size_t p = 10;
    uint16_t flags;
    do {
      if (p + 4 > g.size()) return Invalid("truncated composite glyph");
      flags = U16(g, p);
      uint16_t comp = U16(g, p + 2);
      if (comp >= num_glyphs_) return Invalid("composite component out of range");
      if (!new_id.count(comp)) {
        if (glyphs->size() >= 0xFFFF) return Invalid("too many glyphs");
        new_id.emplace(comp, uint16_t(glyphs->size()));
        glyphs->push_back(comp);
      }
      p += ComponentSize(flags);
    } while (flags & kMoreComponents);
  }
  const size_t n = glyphs->size();

  // glyf + loca (long offsets), instructions stripped.
  std::string glyf, loca;
  glyf.reserve(n * 96);
  loca.reserve((n + 1) * 4);
  for (size_t i = 0; i < n; ++i) {
    Put32(&loca, uint32_t(glyf.size()));
    std::string_view g = GlyphData((*glyphs)[i]);
    if (g.size() < 10) continue;  // empty glyph (space)
    int16_t contours = S16(g, 0);
    if (contours >= 0) {
      size_t ilen_at = 10 + size_t(contours) * 2;
      if (ilen_at + 2 > g.size()) return Invalid("truncated simple glyph");
      size_t ilen = U16(g, ilen_at);
      if (ilen_at + 2 + ilen > g.size()) return Invalid("truncated glyph instructions");
      glyf.append(g.substr(0, ilen_at));
      Put16(&glyf, 0);
      glyf.append(g.substr(ilen_at + 2 + ilen));
    } else {
      glyf.append(g.substr(0, 10));
      size_t p = 10;
      uint16_t flags;
      do {
        flags = U16(g, p);
        size_t sz = ComponentSize(flags);
        if (p + sz > g.size()) return Invalid("truncated composite glyph");
        size_t at = glyf.size();
        glyf.append(g.substr(p, sz));
        Set16(&glyf, at, uint16_t(flags & ~kHaveInstructions));
        Set16(&glyf, at + 2, new_id.at(U16(g, p + 2)));
        p += sz;
      } while (flags & kMoreComponents);
    }
    while (glyf.size() % 4) glyf.push_back('\0');
  }
  Put32(&loca, uint32_t(glyf.size()));

  // hmtx: a full metric per glyph.
  std::string_view src_hmtx = Table(Tag("hmtx"));
  std::string hmtx;
  hmtx.reserve(n * 4);
  for (size_t i = 0; i < n; ++i) {
    uint16_t old = (*glyphs)[i];
    Put16(&hmtx, Advance(old));
    int16_t lsb = old < num_hmetrics_
                      ? S16(src_hmtx, size_t(old) * 4 + 2)
                      : S16(src_hmtx, size_t(num_hmetrics_) * 4 + size_t(old - num_hmetrics_) * 2);
    Put16(&hmtx, uint16_t(lsb));
  }

  std::string head(Table(Tag("head")).substr(0, 54));
  Set32(&head, 8, 0);   // checkSumAdjustment, set below
  Set16(&head, 50, 1);  // indexToLocFormat: long
  std::string hhea(Table(Tag("hhea")).substr(0, 36));
  Set16(&hhea, 34, uint16_t(n));
  std::string maxp(Table(Tag("maxp")));
  Set16(&maxp, 4, uint16_t(n));
  std::string post;
  Put32(&post, 0x00030000);  // version 3: no glyph names
  std::string_view src_post = Table(Tag("post"));
  post.append(src_post.size() >= 32 ? src_post.substr(4, 28) : std::string_view("", 0));
  post.resize(32, '\0');

  // cmap: one format-4 subtable (3,1), one segment per mapped BMP code point.
  std::map<uint16_t, uint16_t> bmp;
  for (size_t gid = 1; gid < unicode_of_new_gid.size() && gid < n; ++gid) {
    char32_t cp = unicode_of_new_gid[gid];
    if (cp > 0 && cp < 0xFFFF) bmp.emplace(uint16_t(cp), uint16_t(gid));
  }
  std::string sub;
  uint16_t segs = uint16_t(bmp.size() + 1);
  uint16_t search = 1, selector = 0;
  while (search * 2 <= segs) {
    search *= 2;
    ++selector;
  }
  Put16(&sub, 4);
  Put16(&sub, uint16_t(16 + segs * 8));
  Put16(&sub, 0);
  Put16(&sub, uint16_t(segs * 2));
  Put16(&sub, uint16_t(search * 2));
  Put16(&sub, selector);
  Put16(&sub, uint16_t(segs * 2 - search * 2));
  for (auto& [cp, gid] : bmp) Put16(&sub, cp);
  Put16(&sub, 0xFFFF);
  Put16(&sub, 0);  // reservedPad
  for (auto& [cp, gid] : bmp) Put16(&sub, cp);
  Put16(&sub, 0xFFFF);
  for (auto& [cp, gid] : bmp) Put16(&sub, uint16_t(gid - cp));
  Put16(&sub, 1);
  for (size_t i = 0; i < segs; ++i) Put16(&sub, 0);
  std::string cmap;
  Put16(&cmap, 0);
  Put16(&cmap, 1);
  Put16(&cmap, 3);
  Put16(&cmap, 1);
  Put32(&cmap, 12);
  cmap += sub;

  // Assemble, tables sorted by tag (OpenType "Table Directory").
  std::vector<std::pair<uint32_t, std::string>> out_tables;
  std::string_view os2 = Table(Tag("OS/2"));
  if (!os2.empty()) out_tables.emplace_back(Tag("OS/2"), std::string(os2));
  out_tables.emplace_back(Tag("cmap"), std::move(cmap));
  out_tables.emplace_back(Tag("glyf"), std::move(glyf));
  out_tables.emplace_back(Tag("head"), std::move(head));
  out_tables.emplace_back(Tag("hhea"), std::move(hhea));
  out_tables.emplace_back(Tag("hmtx"), std::move(hmtx));
  out_tables.emplace_back(Tag("loca"), std::move(loca));
  out_tables.emplace_back(Tag("maxp"), std::move(maxp));
  out_tables.emplace_back(Tag("post"), std::move(post));
  std::sort(out_tables.begin(), out_tables.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  const uint16_t count = uint16_t(out_tables.size());
  uint16_t range = 1, shift = 0;
  while (range * 2 <= count) {
    range *= 2;
    ++shift;
  }
  std::string font;
  Put32(&font, 0x00010000);
  Put16(&font, count);
  Put16(&font, uint16_t(range * 16));
  Put16(&font, shift);
  Put16(&font, uint16_t(count * 16 - range * 16));
  size_t offset = 12 + size_t(count) * 16;
  size_t head_at = 0;
  for (auto& [tag, data] : out_tables) {
    Put32(&font, tag);
    Put32(&font, Checksum(data));
    Put32(&font, uint32_t(offset));
    Put32(&font, uint32_t(data.size()));
    if (tag == Tag("head")) head_at = offset;
    offset += (data.size() + 3) & ~size_t(3);
  }
  for (auto& [tag, data] : out_tables) {
    font += data;
    while (font.size() % 4) font.push_back('\0');
  }
  Set32(&font, head_at + 8, 0xB1B0AFBAu - Checksum(font));
  return font;
}

}  // namespace certledger::render::internal
