// Reads the credential and its ledger receipt out of a certificate PDF: the
// embedded files `credential.json` and `receipt.json` of the document's
// /EmbeddedFiles name tree (ISO 32000-1 section 7.11.4, docs/formats.md "PDF
// attachments"), read with qpdf's library, never by scanning bytes.
// Pure; thread-safe (each call opens its own qpdf document).
#ifndef CERTLEDGER_VERIFIER_PDF_H_
#define CERTLEDGER_VERIFIER_PDF_H_

#include <optional>
#include <string>
#include <string_view>

#include "crypto/status.h"

namespace certledger::verifier {

struct PdfAttachments {
  std::string credential;              // credential.json, exact bytes
  std::optional<std::string> receipt;  // receipt.json, if attached
};

// An embedded file is matched by its name-tree key or by its file
// specification's file name (/UF or /F). Errors (kInvalidArgument):
// "pdf.malformed" when qpdf cannot read the document (encrypted documents
// included), "pdf.no-credential" when there is no credential.json;
// attachments larger than max_bytes are "pdf.too-large".
Result<PdfAttachments> ExtractPdfAttachments(std::string_view pdf_bytes,
                                             std::size_t max_bytes = 16u << 20);

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_PDF_H_
