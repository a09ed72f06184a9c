#include "verifier/pdf.h"

#include <exception>
#include <map>
#include <memory>
#include <string>

// qpdf 11: use std::shared_ptr, not the deprecated PointerHolder.
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFEFStreamObjectHelper.hh>
#include <qpdf/QPDFEmbeddedFileDocumentHelper.hh>
#include <qpdf/QPDFFileSpecObjectHelper.hh>

namespace certledger::verifier {
namespace {

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("pdf.malformed", "cannot read the PDF: " + why);
}

// A qpdf pipeline end that keeps what it is given, up to a limit; past it,
// write() throws TooLarge (qpdf's own errors are std::exceptions too, so
// TooLarge is caught first by type).
class BoundedSink final : public Pipeline {
 public:
  struct TooLarge {};
  explicit BoundedSink(std::size_t max_bytes)
      : Pipeline("bounded-sink", nullptr), max_(max_bytes) {}
  void write(unsigned char const* data, size_t len) override {
    if (len > max_ - bytes_.size()) throw TooLarge{};
    bytes_.append(reinterpret_cast<const char*>(data), len);
  }
  void finish() override {}
  std::string& bytes() { return bytes_; }

 private:
  const std::size_t max_;
  std::string bytes_;
};

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
  // Decoded through a bounded sink: a small compressed stream that inflates to
  // gigabytes (a decompression bomb) stops at max_bytes instead of being
  // decoded whole first.
  BoundedSink sink(max_bytes);
  bool decoded = false;
  try {
    decoded = stream.pipeStreamData(&sink, 0, qpdf_dl_all, /*suppress_warnings=*/true);
  } catch (const BoundedSink::TooLarge&) {
    return Status::InvalidArgument("pdf.too-large", "attachment " + name + " is larger than " +
                                                        std::to_string(max_bytes) +
                                                        " bytes once decoded");
  }
  if (!decoded) return Malformed("attachment " + name + " cannot be decoded");
  return std::optional<std::string>(std::move(sink.bytes()));
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
