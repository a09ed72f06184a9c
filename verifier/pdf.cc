#include "verifier/pdf.h"

#include <exception>
#include <map>
#include <memory>

// qpdf 11: use std::shared_ptr, not the deprecated PointerHolder.
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFEFStreamObjectHelper.hh>
#include <qpdf/QPDFEmbeddedFileDocumentHelper.hh>
#include <qpdf/QPDFFileSpecObjectHelper.hh>

namespace certledger::verifier {
namespace {

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("pdf.malformed", "cannot read the PDF: " + why);
}

// The bytes of attachment `name`, or nullopt. Throws what qpdf throws.
Result<std::optional<std::string>> Find(QPDFEmbeddedFileDocumentHelper& efdh,
                                        const std::string& name, std::size_t max_bytes) {
  std::shared_ptr<QPDFFileSpecObjectHelper> spec = efdh.getEmbeddedFile(name);
  if (!spec) {
    for (auto& [key, fs] : efdh.getEmbeddedFiles()) {
      if (fs && fs->getFilename() == name) {
        spec = fs;
        break;
      }
    }
  }
  if (!spec) return std::optional<std::string>();
  QPDFObjectHandle stream = spec->getEmbeddedFileStream();
  if (!stream.isStream()) {
    return Malformed("attachment " + name + " has no embedded file stream");
  }
  std::shared_ptr<Buffer> data = stream.getStreamData(qpdf_dl_all);
  if (!data) return Malformed("attachment " + name + " cannot be decoded");
  if (data->getSize() > max_bytes) {
    return Status::InvalidArgument("pdf.too-large", "attachment " + name + " is too large");
  }
  return std::optional<std::string>(
      std::string(reinterpret_cast<const char*>(data->getBuffer()), data->getSize()));
}

}  // namespace

Result<PdfAttachments> ExtractPdfAttachments(std::string_view pdf_bytes, std::size_t max_bytes) {
  // qpdf reports errors by throwing; they become a Status here.
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    pdf.processMemoryFile("certificate.pdf", pdf_bytes.data(), pdf_bytes.size());
    QPDFEmbeddedFileDocumentHelper efdh(pdf);
    CERTLEDGER_ASSIGN_OR_RETURN(std::optional<std::string> credential,
                                Find(efdh, "credential.json", max_bytes));
    if (!credential) {
      return Status::InvalidArgument("pdf.no-credential",
                                     "the PDF has no embedded credential.json");
    }
    CERTLEDGER_ASSIGN_OR_RETURN(std::optional<std::string> receipt,
                                Find(efdh, "receipt.json", max_bytes));
    return PdfAttachments{std::move(*credential), std::move(receipt)};
  } catch (const std::exception& e) {
    return Malformed(e.what());
  }
}

}  // namespace certledger::verifier
