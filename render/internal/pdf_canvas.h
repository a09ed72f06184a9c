// A one-page A4 PDF drawn with libharu, with text set in per-document subsets of
// a FontSet (Type0 / CIDFontType2, Identity-H, with a ToUnicode map of exactly
// the glyphs used), embedded files, and document metadata.
//
// Not thread-safe: one canvas per document. Coordinates are PDF points with the
// origin at the bottom-left corner of the page.
#ifndef CERTLEDGER_RENDER_INTERNAL_PDF_CANVAS_H_
#define CERTLEDGER_RENDER_INTERNAL_PDF_CANVAS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"

namespace certledger::render {
class FontSet;
}  // namespace certledger::render

namespace certledger::render::internal {

enum class Face { kRegular = 0, kBold = 1 };

struct Rgb {
  float r = 0, g = 0, b = 0;
};

class PdfCanvas {
 public:
  static constexpr float kWidth = 595.276f;   // A4, 210 mm
  static constexpr float kHeight = 841.890f;  // A4, 297 mm

  // A new document with one A4 page. `fonts` must outlive the canvas.
  // Returns kInternal "render.pdf-failed" if libharu cannot start.
  static Result<std::unique_ptr<PdfCanvas>> Create(const FontSet& fonts);
  ~PdfCanvas();
  PdfCanvas(const PdfCanvas&) = delete;
  PdfCanvas& operator=(const PdfCanvas&) = delete;

  // Width of `utf8` set in `face` at `size` points (advance widths, no kerning).
  float TextWidth(Face face, float size, std::string_view utf8) const;
  // Draws one line of text with its baseline starting at (x, y).
  void Text(Face face, float size, float x, float y, std::string_view utf8, Rgb color = {});
  // Draws text rotated by `degrees` about its start, filled with opacity `alpha`.
  void RotatedText(Face face, float size, float x, float y, float degrees, std::string_view utf8,
                   Rgb color, float alpha);
  void FillRect(float x, float y, float w, float h, Rgb color);
  // Fills axis-aligned rectangles {x, y, w, h} given in grid units of `unit`
  // points from the origin (x, y), as one path (QR modules).
  void FillGrid(float x, float y, float unit, const std::vector<int>& xywh, Rgb color);
  void StrokeRect(float x, float y, float w, float h, float line_width, Rgb color);
  void Line(float x1, float y1, float x2, float y2, float line_width, Rgb color);

  // Embeds `bytes` as file `name` (ASCII) with MIME type `mime`, listed in the
  // document's /EmbeddedFiles name tree. Names must be distinct.
  void Attach(std::string_view name, std::string_view mime, std::string_view description,
              std::string_view bytes, int64_t modified_ms);
  // Document information dictionary: UTF-8 strings, creation time in Unix ms.
  void SetInfo(std::string_view title, std::string_view author, std::string_view subject,
               int64_t created_ms);

  // Embeds the font subsets and returns the PDF bytes. Call once.
  // Returns kInternal "render.pdf-failed" with libharu's error code on failure.
  Result<std::string> Finish();

 private:
  struct Impl;
  explicit PdfCanvas(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Decodes UTF-8 into code points; invalid sequences become U+FFFD and control
// characters (including newlines and tabs) become spaces.
std::u32string DecodeUtf8(std::string_view utf8);
// The code point starting at byte `*i` of `utf8` (as DecodeUtf8 reads it), and
// advances `*i` past it. REQUIRES: *i < utf8.size().
char32_t NextCodePoint(std::string_view utf8, size_t* i);

}  // namespace certledger::render::internal

#endif  // CERTLEDGER_RENDER_INTERNAL_PDF_CANVAS_H_
