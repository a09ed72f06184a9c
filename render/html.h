// The public page an employer sees after scanning a certificate's QR code:
// `<base>/v/<code>` (DESIGN.md "API"), in Russian by default or English.
//
// A full HTML5 document that needs no JavaScript and no external resources:
// its only style sheet is the inline <style> element whose CSP hash
// PublicPageCspHash() returns, so the server can send
//   Content-Security-Policy: default-src 'none'; style-src <PublicPageCspHash()>;
//                            img-src 'none'; base-uri 'none'; form-action 'none'
// Every value from the view is HTML-escaped; links are emitted only for
// http(s) URLs and same-site paths. The page shows only what the certificate
// itself prints (no identifiers beyond the learner's printed name).
//
// Thread-safe: pure functions.
#ifndef CERTLEDGER_RENDER_HTML_H_
#define CERTLEDGER_RENDER_HTML_H_

#include <optional>
#include <string>
#include <string_view>

#include "registry/model/certificate.h"

namespace certledger::render {

enum class Lang {
  kRu = 0,
  kEn = 1,
};

// "ru" / "en" (case-insensitive) from a `lang` query parameter; nullopt otherwise.
std::optional<Lang> ParseLang(std::string_view value);

struct PageOptions {
  // Shown in the header and the <title>; defaults to the registry's generic name.
  std::string registry_name_ru = "Реестр сертификатов об обучении";
  std::string registry_name_en = "Training certificate registry";
};

// The page for `view` in `lang`: a status banner (valid / revoked with reason and
// date / expired / superseded with a link / issuer suspended / unknown code),
// the certificate's public fields, its issuer and licence, the ledger index and
// checkpoint, links to the JSON, PDF and Open Badges 3.0 downloads, and a link
// to the other language (`?lang=en` / `?lang=ru`).
std::string RenderPublicPage(const registry::model::PublicPageView& view, Lang lang = Lang::kRu,
                             const PageOptions& options = {});

// The page of a training voucher at its public URL: a status banner (valid /
// training started / used, with a link to the certificate / annulled / expired /
// withdrawn), the programme, provider, year and validity.
// It never shows the holder's name or other personal data. An unknown code is
// RenderPublicPage's unknown-code page. Same style sheet and CSP as above.
std::string RenderVoucherPage(const registry::model::VoucherPageView& view, Lang lang = Lang::kRu,
                              const PageOptions& options = {});

// The exact text of the page's <style> element.
std::string_view PublicPageCss();

// The CSP source for that style element, quotes included: "'sha256-<base64>'".
std::string PublicPageCspHash();

// `text` with & < > " ' replaced by character references.
std::string HtmlEscape(std::string_view text);

}  // namespace certledger::render

#endif  // CERTLEDGER_RENDER_HTML_H_
