#include "render/fonts.h"

#include <fstream>
#include <sstream>

#include "render/internal/truetype.h"

namespace certledger::render {
namespace {

Result<std::unique_ptr<internal::TrueTypeFont>> LoadOne(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("render.font-missing", "cannot read font file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto font = internal::TrueTypeFont::Parse(std::move(ss).str());
  if (!font.ok()) return font.status().Annotate(path);
  return std::move(font).value();
}

}  // namespace

FontSet::FontSet(std::unique_ptr<internal::TrueTypeFont> regular,
                 std::unique_ptr<internal::TrueTypeFont> bold)
    : regular_(std::move(regular)), bold_(std::move(bold)) {}

FontSet::~FontSet() = default;

Result<std::shared_ptr<const FontSet>> FontSet::Load(const std::string& regular_ttf,
                                                     const std::string& bold_ttf) {
  CERTLEDGER_ASSIGN_OR_RETURN(auto regular, LoadOne(regular_ttf));
  CERTLEDGER_ASSIGN_OR_RETURN(auto bold, LoadOne(bold_ttf));
  for (const auto* f : {regular.get(), bold.get()}) {
    if (f->GlyphFor(U'Ж') == 0 || f->GlyphFor(U'W') == 0) {
      return Status::InvalidArgument("render.font-invalid",
                                     f->postscript_name() + " lacks Cyrillic or Latin glyphs");
    }
  }
  return std::shared_ptr<const FontSet>(new FontSet(std::move(regular), std::move(bold)));
}

Result<std::shared_ptr<const FontSet>> FontSet::LoadDefault() {
  return Load(kDefaultRegular, kDefaultBold);
}

}  // namespace certledger::render
