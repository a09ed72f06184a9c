// PDF documents a person prints: the completion certificate, its draft preview,
// and the training voucher. A4, one page, text in per-document subsets of the
// FontSet's TrueType faces (Cyrillic and Latin, copyable: each font carries a
// ToUnicode map), drawn with libharu.
//
// The certificate carries a QR code (ISO/IEC 18004, error correction M, no
// boost) that encodes exactly `view.url` (`<base>/v/<code>`, docs/formats.md
// "Identifiers"), drawn as vector rectangles, with the URL printed under it for
// manual entry; and the signed credential and its ledger receipt as embedded
// files `credential.json` and `receipt.json` (docs/formats.md "PDF attachments").
//
// The QR code is smallest when the code part of the URL is upper-case (as
// registry codes are: it is then coded in the QR alphanumeric mode, version 3 for
// "https://cert.example.ru/v/XXXX-XXXX-XXXX-XXXX-C"). The renderer never rewrites
// the URL to get there: it encodes `view.url` byte for byte.
//
// Long names, titles and outcome lists shrink and wrap within fixed boxes and are
// cut with "…" at the smallest size, so nothing leaves the page.
//
// All functions are thread-safe: they share only the immutable FontSet.
#ifndef CERTLEDGER_RENDER_PDF_H_
#define CERTLEDGER_RENDER_PDF_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "crypto/status.h"
#include "registry/model/certificate.h"
#include "render/fonts.h"

namespace certledger::render {

struct PdfAttachments {
  // The signed credential exactly as served (docs/formats.md); empty: not attached.
  std::string credential_json;
  // Its ledger receipt (crypto/receipt.h); empty: not attached (not yet integrated).
  std::string receipt_json;
};

struct PdfOptions {
  // The faces to set text in, loaded once and shared. When null, each call loads
  // FontSet::LoadDefault() (a few milliseconds more per document).
  std::shared_ptr<const FontSet> fonts;
  // /CreationDate of the document and attachments, Unix ms. Default: the issue
  // date (for vouchers, issued_on) at 00:00 UTC, so output is reproducible.
  std::optional<int64_t> created_at_ms;
};

// The issued certificate. REQUIRES nothing: an invalid view is an error.
// Returns the PDF bytes, or
//   kInvalidArgument "render.invalid-view" when code, url, learner_name or
//     course_title is empty;
//   kInvalidArgument "render.qr-too-long" when the url cannot be a QR code;
//   kNotFound / kInvalidArgument "render.font-*" when the default fonts are
//     missing (options.fonts null);
//   kInternal "render.pdf-failed" when libharu fails.
Result<std::string> RenderCertificatePdf(const registry::model::CertificateView& view,
                                         const PdfAttachments& attachments,
                                         const PdfOptions& options = {});

// The preview the learner checks before the certificate is signed: the same
// layout, watermarked "ОБРАЗЕЦ / DRAFT", with no QR code, no URL and no
// attachments. `view.code` and `view.url` may be empty. Errors as above.
Result<std::string> RenderDraftPdf(const registry::model::CertificateView& view,
                                   const PdfOptions& options = {});

// The citizen's training voucher: code, holder, programme, provider, year, valid
// until, and a QR code of `view.url`. Errors as above (code, url and holder_name
// required).
Result<std::string> RenderVoucherPdf(const registry::model::VoucherView& view,
                                     const PdfOptions& options = {});

}  // namespace certledger::render

#endif  // CERTLEDGER_RENDER_PDF_H_
