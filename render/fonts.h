// The typefaces certificate and voucher PDFs are set in.
//
// A FontSet is loaded once (it parses two TrueType files, ~1 ms each) and then
// shared, immutable and thread-safe, by every render call: pass it in
// PdfOptions::fonts. Each PDF embeds only a subset of the glyphs it uses.
#ifndef CERTLEDGER_RENDER_FONTS_H_
#define CERTLEDGER_RENDER_FONTS_H_

#include <memory>
#include <string>

#include "crypto/status.h"

namespace certledger::render {

namespace internal {
class TrueTypeFont;
}  // namespace internal

class FontSet {
 public:
  // Debian's fonts-dejavu-core (scripts/setup.sh installs it).
  static constexpr const char* kDefaultRegular = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
  static constexpr const char* kDefaultBold =
      "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf";

  // Loads two TrueType-outline (.ttf) files with Cyrillic and Latin glyphs.
  // Returns kNotFound "render.font-missing" when a file cannot be read and
  // kInvalidArgument "render.font-invalid" when it is not a usable TrueType font.
  static Result<std::shared_ptr<const FontSet>> Load(const std::string& regular_ttf,
                                                     const std::string& bold_ttf);
  // Load(kDefaultRegular, kDefaultBold).
  static Result<std::shared_ptr<const FontSet>> LoadDefault();

  ~FontSet();
  FontSet(const FontSet&) = delete;
  FontSet& operator=(const FontSet&) = delete;

  const internal::TrueTypeFont& regular() const { return *regular_; }
  const internal::TrueTypeFont& bold() const { return *bold_; }

 private:
  FontSet(std::unique_ptr<internal::TrueTypeFont> regular,
          std::unique_ptr<internal::TrueTypeFont> bold);
  const std::unique_ptr<internal::TrueTypeFont> regular_;
  const std::unique_ptr<internal::TrueTypeFont> bold_;
};

}  // namespace certledger::render

#endif  // CERTLEDGER_RENDER_FONTS_H_
