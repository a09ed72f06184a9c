#include "render/internal/pdf_canvas.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

// libharu 2.3.0. Built without HPDF_SHARED, hpdf.h also declares its object layer
// (hpdf_objects.h, hpdf_pages.h, hpdf_doc.h), which libhpdf-dev installs and the
// shared library exports. We use that layer where the 2.3.0 public API falls short:
//  - fonts: HPDF_LoadTTFontFromFile embeds the whole font program of every loaded
//    face (~140 KB for DejaVuSans) and, in UTF-8 mode, writes a 65,536-entry
//    CIDToGIDMap and a ToUnicode CMap poppler rejects ("Invalid 'begincidrange'");
//    loading and writing take ~70 ms per document. We embed our own per-document
//    subset as a Type0/CIDFontType2 font (ISO 32000-1 9.7.4, 9.9) instead.
//  - attachments: HPDF_AttachFile reads a file path and records no MIME type; we
//    build the /EmbeddedFile stream (with /Subtype and /Params /Size) and the
//    /EmbeddedFiles name tree (ISO 32000-1 7.11.4, 7.7.4) from memory.
#include <zlib.h>

#include <hpdf.h>
#include <hpdf_catalog.h>
#include <hpdf_namedict.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>

#include "crypto/hash.h"
#include "crypto/rfc3339.h"
#include "render/fonts.h"
#include "render/internal/truetype.h"

namespace certledger::render::internal {
namespace {

// The first libharu error of a document; libharu calls this instead of failing
// loudly, and we turn it into a Status in Finish (no longjmp, no throw).
struct ErrorSink {
  HPDF_STATUS code = 0;
  HPDF_STATUS detail = 0;
};

void OnHpdfError(HPDF_STATUS code, HPDF_STATUS detail, void* user_data) {
  auto* sink = static_cast<ErrorSink*>(user_data);
  if (sink->code == 0) {
    sink->code = code;
    sink->detail = detail;
  }
}

// Locale-independent decimal for content streams: at most 3 decimals.
void AppendNum(std::string* out, double v) {
  if (std::fabs(v) < 0.0005) v = 0;
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
  char* end = res.ptr;
  char* dot = std::find(buf, end, '.');
  if (dot != end) {
    while (end > dot && (end[-1] == '0')) --end;
    if (end == dot + 1) --end;
    if (end == dot) end = dot;
  }
  out->append(buf, end);
  out->push_back(' ');
}

void AppendHex4(std::string* out, uint32_t v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHex[(v >> shift) & 15]);
}

// UTF-16BE with a byte-order mark: a PDF text string (ISO 32000-1 7.9.2.2).
std::string Utf16BeText(std::string_view utf8) {
  std::string out("\xFE\xFF", 2);
  for (char32_t cp : DecodeUtf8(utf8)) {
    auto put = [&](uint16_t u) {
      out.push_back(char(u >> 8));
      out.push_back(char(u & 0xff));
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(uint16_t(0xD800 + (cp >> 10)));
      put(uint16_t(0xDC00 + (cp & 0x3FF)));
    } else {
      put(uint16_t(cp));
    }
  }
  return out;
}

HPDF_Date ToHpdfDate(int64_t unix_ms) {
  int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y;
  unsigned m, d;
  crypto::CivilFromDays(days, &y, &m, &d);
  HPDF_Date date{};
  date.year = HPDF_INT(y);
  date.month = HPDF_INT(m);
  date.day = HPDF_INT(d);
  date.hour = HPDF_INT(rem / 3600);
  date.minutes = HPDF_INT(rem / 60 % 60);
  date.seconds = HPDF_INT(rem % 60);
  date.ind = 'Z';
  return date;
}

// zlib deflate for our streams (fonts, ToUnicode maps, attachments), one
// z_stream per document. libharu's own filter starts a new z_stream at level 6
// for every stream, which costs about half the time of a certificate; level 3
// on a reused stream costs a third as much for ~5% more bytes.
class Deflater {
 public:
  Deflater() { ok_ = deflateInit(&z_, kLevel) == Z_OK; }
  ~Deflater() {
    if (ok_) deflateEnd(&z_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // The zlib stream (RFC 1950) of `in`, or nullopt on failure.
  bool Compress(std::string_view in, std::string* out) {
    if (!ok_ || deflateReset(&z_) != Z_OK) return false;
    out->resize(deflateBound(&z_, uLong(in.size())));
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = uInt(in.size());
    z_.next_out = reinterpret_cast<Bytef*>(out->data());
    z_.avail_out = uInt(out->size());
    if (deflate(&z_, Z_FINISH) != Z_STREAM_END) return false;
    out->resize(z_.total_out);
    return true;
  }

 private:
  static constexpr int kLevel = 3;
  z_stream z_{};
  bool ok_ = false;
};

HPDF_STATUS WriteFlateFilter(HPDF_Dict dict, HPDF_Stream stream) {
  return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

}  // namespace

char32_t NextCodePoint(std::string_view s, size_t* pos) {
  size_t i = *pos;
  unsigned char c = s[i];
  char32_t cp;
  size_t len;
  if (c < 0x80) {
    cp = c;
    len = 1;
  } else if ((c & 0xE0) == 0xC0) {
    cp = c & 0x1F;
    len = 2;
  } else if ((c & 0xF0) == 0xE0) {
    cp = c & 0x0F;
    len = 3;
  } else if ((c & 0xF8) == 0xF0) {
    cp = c & 0x07;
    len = 4;
  } else {
    *pos = i + 1;
    return 0xFFFD;
  }
  bool ok = i + len <= s.size();
  for (size_t k = 1; ok && k < len; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80) {
      ok = false;
    } else {
      cp = (cp << 6) | (cc & 0x3F);
    }
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (!ok || cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos = i + 1;
    return 0xFFFD;
  }
  *pos = i + len;
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) cp = ' ';
  return cp;
}

std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out.push_back(NextCodePoint(s, &i));
  return out;
}

// One face's per-document subset: glyphs are numbered in order of first use, so
// the content stream can be written in one pass (CID = new glyph id, Identity-H).
struct FaceState {
  const TrueTypeFont* font = nullptr;
  std::vector<uint16_t> new_of_old;         // old gid -> new gid, 0 = not yet used
  std::vector<uint16_t> old_of_new{0};      // new gid -> old gid; [0] = .notdef
  std::vector<char32_t> unicode_of_new{0};  // for ToUnicode and the subset's cmap
  HPDF_Dict type0 = nullptr;                // created on first use
  std::string resource_name;                // "F1", in the page's /Font resources

  uint16_t Glyph(char32_t cp) {
    uint16_t old = font->GlyphFor(cp);
    if (old == 0) old = font->GlyphFor(0xFFFD);
    if (old == 0) return 0;
    if (new_of_old.empty()) new_of_old.assign(size_t(font->num_glyphs()), 0);
    uint16_t& slot = new_of_old[old];
    if (slot == 0) {
      slot = uint16_t(old_of_new.size());
      old_of_new.push_back(old);
      unicode_of_new.push_back(cp);
    }
    return slot;
  }
};

struct PdfCanvas::Impl {
  const FontSet* fonts = nullptr;
  ErrorSink errors;
  HPDF_Doc pdf = nullptr;
  HPDF_Page page = nullptr;
  FaceState faces[2];
  bool finished = false;
  std::string ops;  // scratch for raw content operators
  Deflater deflater;
  std::string scratch;

  // A new indirect stream holding `data` deflated (/Filter /FlateDecode).
  HPDF_Dict FlateStream(std::string_view data) {
    HPDF_Dict dict = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!dict) return nullptr;
    if (deflater.Compress(data, &scratch)) {
      // libharu would deflate again with dict->filter set, and drops a /Filter
      // entry when it is not; its write_fn hook adds ours to the dictionary.
      dict->write_fn = WriteFlateFilter;
      data = scratch;
    }
    if (HPDF_Stream_Write(dict->stream, reinterpret_cast<const HPDF_BYTE*>(data.data()),
                          HPDF_UINT(data.size())) != HPDF_OK) {
      OnHpdfError(HPDF_Error_GetCode(dict->error), 0, &errors);
    }
    return dict;
  }

  ~Impl() {
    if (pdf) HPDF_Free(pdf);
  }

  FaceState& State(Face face) {
    FaceState& st = faces[int(face)];
    if (!st.type0) {
      st.type0 = HPDF_Dict_New(pdf->mmgr);
      if (st.type0 && HPDF_Xref_Add(pdf->xref, st.type0) == HPDF_OK) {
        const char* name = HPDF_Page_GetLocalFontName(page, st.type0);
        if (name) st.resource_name = name;
      }
    }
    return st;
  }

  void WriteOps() {
    auto* attr = static_cast<HPDF_PageAttr>(page->attr);
    if (HPDF_Stream_Write(attr->stream, reinterpret_cast<const HPDF_BYTE*>(ops.data()),
                          HPDF_UINT(ops.size())) != HPDF_OK) {
      OnHpdfError(HPDF_Error_GetCode(page->error), 0, &errors);
    }
    ops.clear();
  }

  // Appends "<hex gids> Tj" for `text`.
  void AppendShow(FaceState& st, std::string_view utf8) {
    ops.push_back('<');
    for (size_t i = 0; i < utf8.size();) AppendHex4(&ops, st.Glyph(NextCodePoint(utf8, &i)));
    ops += "> Tj\n";
  }

  void AppendFontAndColor(FaceState& st, float size, Rgb color) {
    ops += '/';
    ops += st.resource_name;
    ops += ' ';
    AppendNum(&ops, size);
    ops += "Tf ";
    AppendNum(&ops, color.r);
    AppendNum(&ops, color.g);
    AppendNum(&ops, color.b);
    ops += "rg\n";
  }

  HPDF_STATUS EmbedFont(FaceState& st);
  std::string ToUnicodeCMap(const FaceState& st) const;
};

PdfCanvas::PdfCanvas(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PdfCanvas::~PdfCanvas() = default;

Result<std::unique_ptr<PdfCanvas>> PdfCanvas::Create(const FontSet& fonts) {
  auto impl = std::make_unique<Impl>();
  impl->fonts = &fonts;
  impl->faces[0].font = &fonts.regular();
  impl->faces[1].font = &fonts.bold();
  impl->pdf = HPDF_New(OnHpdfError, &impl->errors);
  if (!impl->pdf) return Status::Internal("render.pdf-failed", "libharu: HPDF_New failed");
  impl->pdf->pdf_version = HPDF_VER_17;  // /UF and /Params in file specifications
  HPDF_SetCompressionMode(impl->pdf, HPDF_COMP_ALL);
  impl->page = HPDF_AddPage(impl->pdf);
  if (impl->page) HPDF_Page_SetSize(impl->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
  if (impl->errors.code != 0 || !impl->page) {
    return Status::Internal("render.pdf-failed", "libharu: cannot create an A4 page");
  }
  return std::unique_ptr<PdfCanvas>(new PdfCanvas(std::move(impl)));
}

float PdfCanvas::TextWidth(Face face, float size, std::string_view utf8) const {
  const TrueTypeFont& font = face == Face::kBold ? impl_->fonts->bold() : impl_->fonts->regular();
  uint32_t units = 0;
  uint16_t fallback = font.GlyphFor(0xFFFD);
  for (size_t i = 0; i < utf8.size();) {
    uint16_t gid = font.GlyphFor(NextCodePoint(utf8, &i));
    units += font.Advance(gid ? gid : fallback);
  }
  return float(units) * size / float(font.units_per_em());
}

void PdfCanvas::Text(Face face, float size, float x, float y, std::string_view utf8, Rgb color) {
  FaceState& st = impl_->State(face);
  std::string& ops = impl_->ops;
  ops += "BT\n";
  impl_->AppendFontAndColor(st, size, color);
  AppendNum(&ops, x);
  AppendNum(&ops, y);
  ops += "Td\n";
  impl_->AppendShow(st, utf8);
  ops += "ET\n";
  impl_->WriteOps();
}

void PdfCanvas::RotatedText(Face face, float size, float x, float y, float degrees,
                            std::string_view utf8, Rgb color, float alpha) {
  HPDF_ExtGState gs = HPDF_CreateExtGState(impl_->pdf);
  HPDF_ExtGState_SetAlphaFill(gs, alpha);
  HPDF_Page_GSave(impl_->page);
  HPDF_Page_SetExtGState(impl_->page, gs);
  FaceState& st = impl_->State(face);
  std::string& ops = impl_->ops;
  double rad = degrees * M_PI / 180.0;
  ops += "BT\n";
  impl_->AppendFontAndColor(st, size, color);
  AppendNum(&ops, std::cos(rad));
  AppendNum(&ops, std::sin(rad));
  AppendNum(&ops, -std::sin(rad));
  AppendNum(&ops, std::cos(rad));
  AppendNum(&ops, x);
  AppendNum(&ops, y);
  ops += "Tm\n";
  impl_->AppendShow(st, utf8);
  ops += "ET\n";
  impl_->WriteOps();
  HPDF_Page_GRestore(impl_->page);
}

void PdfCanvas::FillRect(float x, float y, float w, float h, Rgb color) {
  HPDF_Page_SetRGBFill(impl_->page, color.r, color.g, color.b);
  HPDF_Page_Rectangle(impl_->page, x, y, w, h);
  HPDF_Page_Fill(impl_->page);
}

void PdfCanvas::FillGrid(float x, float y, float unit, const std::vector<int>& xywh, Rgb color) {
  if (xywh.size() < 4) return;
  HPDF_Page page = impl_->page;
  HPDF_Page_GSave(page);
  HPDF_Page_Concat(page, unit, 0, 0, unit, x, y);
  HPDF_Page_SetRGBFill(page, color.r, color.g, color.b);
  // Integer operands keep this short: "3 7 2 1 re" per run of modules.
  std::string& ops = impl_->ops;
  for (size_t i = 0; i + 3 < xywh.size(); i += 4) {
    for (size_t k = 0; k < 4; ++k) {
      ops += std::to_string(xywh[i + k]);
      ops += ' ';
    }
    ops += "re\n";
  }
  ops += "f\n";
  impl_->WriteOps();
  HPDF_Page_GRestore(page);
}

void PdfCanvas::StrokeRect(float x, float y, float w, float h, float line_width, Rgb color) {
  HPDF_Page_SetLineWidth(impl_->page, line_width);
  HPDF_Page_SetRGBStroke(impl_->page, color.r, color.g, color.b);
  HPDF_Page_Rectangle(impl_->page, x, y, w, h);
  HPDF_Page_Stroke(impl_->page);
}

void PdfCanvas::Line(float x1, float y1, float x2, float y2, float line_width, Rgb color) {
  HPDF_Page_SetLineWidth(impl_->page, line_width);
  HPDF_Page_SetRGBStroke(impl_->page, color.r, color.g, color.b);
  HPDF_Page_MoveTo(impl_->page, x1, y1);
  HPDF_Page_LineTo(impl_->page, x2, y2);
  HPDF_Page_Stroke(impl_->page);
}

void PdfCanvas::Attach(std::string_view name, std::string_view mime, std::string_view description,
                       std::string_view bytes, int64_t modified_ms) {
  HPDF_Doc pdf = impl_->pdf;
  HPDF_MMgr mmgr = pdf->mmgr;
  // The embedded file stream (ISO 32000-1 7.11.4, Table 45).
  HPDF_Dict file = impl_->FlateStream(bytes);
  if (!file) return;
  HPDF_Dict_AddName(file, "Type", "EmbeddedFile");
  HPDF_Dict_AddName(file, "Subtype", std::string(mime).c_str());
  HPDF_Dict params = HPDF_Dict_New(mmgr);
  HPDF_Dict_Add(file, "Params", params);
  HPDF_Dict_AddNumber(params, "Size", HPDF_INT32(bytes.size()));
  std::string date = "D:";
  {
    HPDF_Date d = ToHpdfDate(modified_ms);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02dZ", int(d.year), int(d.month),
                  int(d.day), int(d.hour), int(d.minutes), int(d.seconds));
    date += buf;
  }
  HPDF_Dict_Add(params, "ModDate", HPDF_String_New(mmgr, date.c_str(), nullptr));
  // Its file specification (7.11.3, Table 44).
  std::string fname(name);
  HPDF_Dict spec = HPDF_Dict_New(mmgr);
  HPDF_Xref_Add(pdf->xref, spec);
  HPDF_Dict_AddName(spec, "Type", "Filespec");
  HPDF_Dict_Add(spec, "F", HPDF_String_New(mmgr, fname.c_str(), nullptr));
  HPDF_Dict_Add(spec, "UF", HPDF_String_New(mmgr, fname.c_str(), nullptr));
  std::string desc = Utf16BeText(description);
  HPDF_Dict_Add(
      spec, "Desc",
      HPDF_Binary_New(mmgr, reinterpret_cast<HPDF_BYTE*>(desc.data()), HPDF_UINT(desc.size())));
  HPDF_Dict_AddName(spec, "AFRelationship", "Data");
  HPDF_Dict ef = HPDF_Dict_New(mmgr);
  HPDF_Dict_Add(spec, "EF", ef);
  HPDF_Dict_Add(ef, "F", file);
  HPDF_Dict_Add(ef, "UF", file);
  // The catalog's /Names /EmbeddedFiles tree, keys kept sorted (7.9.6).
  HPDF_NameDict names = HPDF_Catalog_GetNames(pdf->catalog);
  if (!names) {
    names = HPDF_NameDict_New(mmgr, pdf->xref);
    HPDF_Catalog_SetNames(pdf->catalog, names);
  }
  HPDF_NameTree tree = HPDF_NameDict_GetNameTree(names, HPDF_NAME_EMBEDDED_FILES);
  if (!tree) {
    tree = HPDF_NameTree_New(mmgr, pdf->xref);
    HPDF_NameDict_SetNameTree(names, HPDF_NAME_EMBEDDED_FILES, tree);
  }
  auto* items = static_cast<HPDF_Array>(HPDF_Dict_GetItem(tree, "Names", HPDF_OCLASS_ARRAY));
  if (!items) return;
  HPDF_String key = HPDF_String_New(mmgr, fname.c_str(), nullptr);
  for (HPDF_UINT i = 0; i < HPDF_Array_Items(items); i += 2) {
    auto* existing = static_cast<HPDF_String>(HPDF_Array_GetItem(items, i, HPDF_OCLASS_STRING));
    if (existing &&
        fname < std::string(reinterpret_cast<const char*>(existing->value), existing->len)) {
      HPDF_Array_Insert(items, existing, key);
      HPDF_Array_Insert(items, existing, spec);
      return;
    }
  }
  HPDF_Array_Add(items, key);
  HPDF_Array_Add(items, spec);
}

void PdfCanvas::SetInfo(std::string_view title, std::string_view author, std::string_view subject,
                        int64_t created_ms) {
  HPDF_Doc pdf = impl_->pdf;
  HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "certledger");
  HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, ToHpdfDate(created_ms));
  HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, ToHpdfDate(created_ms));
  if (!pdf->info) return;
  for (auto [key, value] : {std::pair<const char*, std::string_view>{"Title", title},
                            {"Author", author},
                            {"Subject", subject}}) {
    if (value.empty()) continue;
    std::string text = Utf16BeText(value);
    HPDF_Dict_Add(pdf->info, key,
                  HPDF_Binary_New(pdf->mmgr, reinterpret_cast<HPDF_BYTE*>(text.data()),
                                  HPDF_UINT(text.size())));
  }
}

std::string PdfCanvas::Impl::ToUnicodeCMap(const FaceState& st) const {
  // A ToUnicode CMap (ISO 32000-1 9.10.3) for exactly the glyphs used.
  std::string c =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  const size_t n = st.unicode_of_new.size();
  for (size_t start = 1; start < n; start += 100) {
    size_t end = std::min(n, start + 100);
    c += std::to_string(end - start) + " beginbfchar\n";
    for (size_t gid = start; gid < end; ++gid) {
      c += '<';
      AppendHex4(&c, uint32_t(gid));
      c += "> <";
      char32_t cp = st.unicode_of_new[gid];
      if (cp >= 0x10000) {
        AppendHex4(&c, 0xD800 + ((cp - 0x10000) >> 10));
        AppendHex4(&c, 0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        AppendHex4(&c, cp);
      }
      c += ">\n";
    }
    c += "endbfchar\n";
  }
  c += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  return c;
}

HPDF_STATUS PdfCanvas::Impl::EmbedFont(FaceState& st) {
  const TrueTypeFont& font = *st.font;
  HPDF_MMgr mmgr = pdf->mmgr;
  HPDF_Xref xref = pdf->xref;
  std::vector<uint16_t> glyphs = st.old_of_new;
  auto subset = font.Subset(&glyphs, st.unicode_of_new);
  if (!subset.ok()) return HPDF_INVALID_FONTDEF_DATA;

  // Subset tag: six capitals derived from the glyph set (ISO 32000-1 9.6.4).
  std::string ids(reinterpret_cast<const char*>(glyphs.data()), glyphs.size() * 2);
  crypto::Sha256Digest digest = crypto::Sha256(font.postscript_name() + ids);
  std::string base_font;
  for (int i = 0; i < 6; ++i) base_font += char('A' + digest[size_t(i)] % 26);
  base_font += '+';
  base_font += font.postscript_name();

  const double scale = 1000.0 / font.units_per_em();
  HPDF_STATUS ret = HPDF_OK;

  HPDF_Dict file = FlateStream(*subset);
  if (!file) return HPDF_FAILD_TO_ALLOC_MEM;
  ret |= HPDF_Dict_AddNumber(file, "Length1", HPDF_INT32(subset->size()));

  HPDF_Dict desc = HPDF_Dict_New(mmgr);
  ret |= HPDF_Xref_Add(xref, desc);
  ret |= HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
  ret |= HPDF_Dict_AddName(desc, "FontName", base_font.c_str());
  ret |= HPDF_Dict_AddNumber(
      desc, "Flags", 32 | (font.italic_angle() != 0 ? 64 : 0) | (font.bold() ? (1 << 18) : 0));
  HPDF_Array bbox = HPDF_Array_New(mmgr);
  ret |= HPDF_Dict_Add(desc, "FontBBox", bbox);
  for (int v : {font.x_min(), font.y_min(), font.x_max(), font.y_max()}) {
    ret |= HPDF_Array_AddNumber(bbox, HPDF_INT32(std::lround(v * scale)));
  }
  ret |= HPDF_Dict_AddReal(desc, "ItalicAngle", HPDF_REAL(font.italic_angle()));
  ret |= HPDF_Dict_AddNumber(desc, "Ascent", HPDF_INT32(std::lround(font.ascent() * scale)));
  ret |= HPDF_Dict_AddNumber(desc, "Descent", HPDF_INT32(std::lround(font.descent() * scale)));
  ret |= HPDF_Dict_AddNumber(desc, "CapHeight", HPDF_INT32(std::lround(font.cap_height() * scale)));
  ret |= HPDF_Dict_AddNumber(desc, "StemV", font.bold() ? 140 : 80);
  ret |= HPDF_Dict_Add(desc, "FontFile2", file);

  HPDF_Dict cid = HPDF_Dict_New(mmgr);
  ret |= HPDF_Xref_Add(xref, cid);
  ret |= HPDF_Dict_AddName(cid, "Type", "Font");
  ret |= HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
  ret |= HPDF_Dict_AddName(cid, "BaseFont", base_font.c_str());
  HPDF_Dict info = HPDF_Dict_New(mmgr);
  ret |= HPDF_Dict_Add(cid, "CIDSystemInfo", info);
  ret |= HPDF_Dict_Add(info, "Registry", HPDF_String_New(mmgr, "Adobe", nullptr));
  ret |= HPDF_Dict_Add(info, "Ordering", HPDF_String_New(mmgr, "Identity", nullptr));
  ret |= HPDF_Dict_AddNumber(info, "Supplement", 0);
  ret |= HPDF_Dict_Add(cid, "FontDescriptor", desc);
  ret |= HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity");
  // W: widths of CIDs 0..n-1 in one run (9.7.4.3).
  HPDF_Array w = HPDF_Array_New(mmgr);
  ret |= HPDF_Dict_Add(cid, "W", w);
  ret |= HPDF_Array_AddNumber(w, 0);
  HPDF_Array widths = HPDF_Array_New(mmgr);
  ret |= HPDF_Array_Add(w, widths);
  for (uint16_t old : st.old_of_new) {
    ret |= HPDF_Array_AddNumber(widths, HPDF_INT32(std::lround(font.Advance(old) * scale)));
  }

  HPDF_Dict to_unicode = FlateStream(ToUnicodeCMap(st));
  if (!to_unicode) return HPDF_FAILD_TO_ALLOC_MEM;

  ret |= HPDF_Dict_AddName(st.type0, "Type", "Font");
  ret |= HPDF_Dict_AddName(st.type0, "Subtype", "Type0");
  ret |= HPDF_Dict_AddName(st.type0, "BaseFont", base_font.c_str());
  ret |= HPDF_Dict_AddName(st.type0, "Encoding", "Identity-H");
  HPDF_Array descendants = HPDF_Array_New(mmgr);
  ret |= HPDF_Dict_Add(st.type0, "DescendantFonts", descendants);
  ret |= HPDF_Array_Add(descendants, cid);
  ret |= HPDF_Dict_Add(st.type0, "ToUnicode", to_unicode);
  return ret;
}

Result<std::string> PdfCanvas::Finish() {
  Impl& m = *impl_;
  if (m.finished) return Status::Internal("render.pdf-failed", "Finish called twice");
  m.finished = true;
  for (FaceState& st : m.faces) {
    if (!st.type0) continue;
    HPDF_STATUS ret = m.EmbedFont(st);
    if (ret != HPDF_OK && m.errors.code == 0) m.errors.code = ret;
  }
  // Deflate the page content on our z_stream too (libharu would start a new
  // one at level 6): read it back, compress, and write it in place.
  if (m.errors.code == 0) {
    auto* attr = static_cast<HPDF_PageAttr>(m.page->attr);
    HPDF_Stream content = attr->stream;
    std::string raw(content->size, '\0');
    HPDF_UINT got = HPDF_UINT(raw.size());
    if (HPDF_Stream_Seek(content, 0, HPDF_SEEK_SET) == HPDF_OK &&
        (raw.empty() ||
         HPDF_Stream_Read(content, reinterpret_cast<HPDF_BYTE*>(raw.data()), &got) == HPDF_OK) &&
        got == raw.size() && m.deflater.Compress(raw, &m.scratch)) {
      HPDF_MemStream_FreeData(content);
      content->size = 0;
      HPDF_Stream_Write(content, reinterpret_cast<const HPDF_BYTE*>(m.scratch.data()),
                        HPDF_UINT(m.scratch.size()));
      attr->contents->filter = HPDF_STREAM_FILTER_NONE;
      attr->contents->write_fn = WriteFlateFilter;
    }
  }
  if (m.errors.code == 0) HPDF_SaveToStream(m.pdf);
  std::string out;
  if (m.errors.code == 0) {
    HPDF_UINT32 size = HPDF_GetStreamSize(m.pdf);
    out.resize(size);
    HPDF_UINT32 got = size;
    HPDF_ReadFromStream(m.pdf, reinterpret_cast<HPDF_BYTE*>(out.data()), &got);
    if (got != size && m.errors.code == 0) m.errors.code = HPDF_STREAM_EOF;
  }
  if (m.errors.code != 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "libharu error 0x%04X (detail %u)", unsigned(m.errors.code),
                  unsigned(m.errors.detail));
    return Status::Internal("render.pdf-failed", buf);
  }
  return out;
}

}  // namespace certledger::render::internal
