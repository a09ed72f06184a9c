// QR codes for printed URLs (ISO/IEC 18004), via qrcodegen: error correction
// level M without boosting, so a version depends only on the text.
// Thread-safe (pure functions).
#ifndef CERTLEDGER_RENDER_INTERNAL_QR_H_
#define CERTLEDGER_RENDER_INTERNAL_QR_H_

#include <string_view>
#include <vector>

#include "crypto/status.h"

namespace certledger::render::internal {

struct QrMatrix {
  int version = 0;
  int mask = 0;
  int size = 0;            // modules per side, without the quiet zone
  std::vector<bool> dark;  // row-major, size * size
  bool At(int x, int y) const { return dark[size_t(y) * size_t(size) + size_t(x)]; }
};

// Encodes exactly `text` (its bytes; nothing is case-folded). When a suffix of
// the text is in the QR alphanumeric set (0-9 A-Z space $%*+-./:) it is coded as
// an alphanumeric segment after a byte segment if that gives fewer bits, e.g. the
// upper-case registration code at the end of "https://host/v/7KQ2-...", which
// keeps "<base>/v/<code>" at version 3 or 4 for hosts of typical length.
// Returns kInvalidArgument "render.qr-too-long" past 1,000 bytes.
//
// The mask is chosen by the ISO/IEC 18004 7.8.3 penalty rules, evaluated here on
// bit rows: qrcodegen's own mask search (mask = -1) re-scores its vector<bool>
// grid eight times and took ~1 ms, a quarter of a certificate's render time.
// `mask` 0..7 forces one (tests compare every mask with qrcodegen's output).
Result<QrMatrix> EncodeQr(std::string_view text, int mask = -1);

// For tests: the same segments encoded by qrcodegen itself with `mask` (-1:
// qrcodegen's own mask choice), to check the re-masking above module by module.
Result<QrMatrix> TEST_EncodeQrWithQrcodegen(std::string_view text, int mask);

}  // namespace certledger::render::internal

#endif  // CERTLEDGER_RENDER_INTERNAL_QR_H_
