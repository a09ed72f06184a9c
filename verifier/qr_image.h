// Reads the QR code of a certificate from a photo or scan: a PNG (libpng) or
// JPEG (libjpeg) image is decoded to 8-bit grey and scanned with zbar. The QR
// code on a certificate or voucher encodes exactly its public URL
// `<base>/v/<code>` (DESIGN.md "Identifiers"), which certverify then verifies
// online.
// Pure functions; thread-safe (each call has its own decoder and scanner).
#ifndef CERTLEDGER_VERIFIER_QR_IMAGE_H_
#define CERTLEDGER_VERIFIER_QR_IMAGE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"

namespace certledger::verifier {

// Stable slugs (certverify output; do not rename). All kInvalidArgument.
inline constexpr char kQrBadImage[] = "qr.bad-image";  // not a PNG/JPEG we can decode
inline constexpr char kQrTooLarge[] = "qr.too-large";  // more pixels than allowed
inline constexpr char kQrNotFound[] = "qr.not-found";  // no QR code in the image
inline constexpr char kQrNotCertificate[] = "qr.not-certificate-url";  // no <base>/v/<code>

struct QrImageOptions {
  // Images with more pixels are refused before any pixel is decoded
  // (a decompression-bomb guard): 64 megapixels, a 600 dpi A4 scan is 35.
  std::uint64_t max_pixels = std::uint64_t{64} << 20;
};

// True if `bytes` start with the PNG signature or a JPEG SOI marker.
bool IsQrImage(std::string_view bytes);

// The payloads of every QR code zbar finds in the image, in zbar's order.
// Errors: kQrBadImage, kQrTooLarge, kQrNotFound (no QR code).
Result<std::vector<std::string>> DecodeQrImage(std::string_view image_bytes,
                                               const QrImageOptions& options = {});

// Checks that `text` is a certificate URL: http(s)://host[:port][/prefix]/v/<code>
// where <code> is 8..40 letters, digits and '-', with no query or fragment.
// Returns it unchanged, or kQrNotCertificate.
Result<std::string> ParseCertificateUrl(std::string_view text);

// The first QR code of the image that is a certificate URL. Errors: those of
// DecodeQrImage, and kQrNotCertificate when QR codes were found but none is
// a certificate URL (the message quotes what was found).
Result<std::string> CertificateUrlFromImage(std::string_view image_bytes,
                                            const QrImageOptions& options = {});

}  // namespace certledger::verifier

#endif  // CERTLEDGER_VERIFIER_QR_IMAGE_H_
