#include "render/internal/qr.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include <qrcodegen.hpp>

namespace certledger::render::internal {
namespace {

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || std::strchr(" $%*+-./:", c) != nullptr;
}

// Bits for a byte segment of n bytes / an alphanumeric one of n chars, with the
// count field sized for versions 10-26 (a conservative estimate for choosing).
size_t ByteBits(size_t n) { return 4 + 16 + 8 * n; }
size_t AlnumBits(size_t n) { return 4 + 11 + 11 * (n / 2) + 6 * (n % 2); }

// ISO/IEC 18004 Table 10: data mask conditions.
bool MaskBit(int mask, int x, int y) {
  switch (mask) {
    case 0:
      return (x + y) % 2 == 0;
    case 1:
      return y % 2 == 0;
    case 2:
      return x % 3 == 0;
    case 3:
      return (x + y) % 3 == 0;
    case 4:
      return (x / 3 + y / 2) % 2 == 0;
    case 5:
      return x * y % 2 + x * y % 3 == 0;
    case 6:
      return (x * y % 2 + x * y % 3) % 2 == 0;
    default:
      return ((x + y) % 2 + x * y % 3) % 2 == 0;
  }
}

// Function patterns (finders, separators, timing, alignment, format and version
// areas): the modules a data mask does not touch (ISO/IEC 18004 6.3).
std::vector<bool> FunctionModules(int version, int size) {
  std::vector<bool> fn(size_t(size) * size_t(size), false);
  auto mark = [&](int x0, int y0, int w, int h) {
    for (int y = y0; y < y0 + h; ++y) {
      for (int x = x0; x < x0 + w; ++x) fn[size_t(y) * size_t(size) + size_t(x)] = true;
    }
  };
  mark(0, 0, 9, 9);         // top-left finder, separator, format bits
  mark(size - 8, 0, 8, 9);  // top-right finder, separator, format bits
  mark(0, size - 8, 9, 8);  // bottom-left finder, separator, format bits, dark module
  mark(6, 0, 1, size);      // vertical timing
  mark(0, 6, size, 1);      // horizontal timing
  if (version >= 2) {
    // Alignment pattern centres, as qrcodegen computes them (Annex E).
    int num = version / 7 + 2;
    int step = version == 32 ? 26 : (version * 4 + num * 2 + 1) / (num * 2 - 2) * 2;
    std::vector<int> pos(static_cast<size_t>(num));
    pos[0] = 6;
    for (int i = num - 1, p = size - 7; i >= 1; --i, p -= step) pos[size_t(i)] = p;
    for (int i = 0; i < num; ++i) {
      for (int j = 0; j < num; ++j) {
        if ((i == 0 && j == 0) || (i == 0 && j == num - 1) || (i == num - 1 && j == 0)) continue;
        mark(pos[size_t(i)] - 2, pos[size_t(j)] - 2, 5, 5);
      }
    }
  }
  if (version >= 7) {
    mark(size - 11, 0, 3, 6);
    mark(0, size - 11, 6, 3);
  }
  return fn;
}

// Writes the format information for error correction level M and `mask`
// (ISO/IEC 18004 7.9), in qrcodegen's module order.
void DrawFormatBits(QrMatrix* m, int mask) {
  const int data = (0 << 3) | mask;  // level M = 00
  int rem = data;
  for (int i = 0; i < 10; ++i) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
  const int bits = ((data << 10) | rem) ^ 0x5412;
  auto bit = [&](int i) { return ((bits >> i) & 1) != 0; };
  auto set = [&](int x, int y, bool dark) {
    m->dark[size_t(y) * size_t(m->size) + size_t(x)] = dark;
  };
  const int size = m->size;
  for (int i = 0; i <= 5; ++i) set(8, i, bit(i));
  set(8, 7, bit(6));
  set(8, 8, bit(7));
  set(7, 8, bit(8));
  for (int i = 9; i < 15; ++i) set(14 - i, 8, bit(i));
  for (int i = 0; i < 8; ++i) set(size - 1 - i, 8, bit(i));
  for (int i = 8; i < 15; ++i) set(8, size - 15 + i, bit(i));
  set(8, size - 8, true);
}

// ISO/IEC 18004 7.8.3.1 penalty: N1 = 3 (runs of 5+), N2 = 3 (2x2 blocks),
// N3 = 40 (1:1:3:1:1 finder-like patterns with 4 light modules on one side),
// N4 = 10 per 5% of dark-module imbalance. `g` is row-major, one byte a module.
long Penalty(const std::vector<uint8_t>& g, int n) {
  long score = 0;
  std::vector<uint8_t> line(size_t(n) + 8, 0);  // 4 light modules of margin each side
  auto score_line = [&]() {
    const uint8_t* m = line.data() + 4;
    int run = 1;
    for (int k = 1; k <= n; ++k) {
      if (k < n && m[k] == m[k - 1]) {
        ++run;
        continue;
      }
      if (run >= 5) score += 3 + (run - 5);
      run = 1;
    }
    // 1011101 with 0000 before or after; the margin reads as light.
    for (int k = 0; k + 7 <= n; ++k) {
      if (m[k] && !m[k + 1] && m[k + 2] && m[k + 3] && m[k + 4] && !m[k + 5] && m[k + 6]) {
        bool before = !m[k - 1] && !m[k - 2] && !m[k - 3] && !m[k - 4];
        bool after = !m[k + 7] && !m[k + 8] && !m[k + 9] && !m[k + 10];
        if (before || after) score += 40;
      }
    }
  };
  for (int y = 0; y < n; ++y) {
    std::copy(g.begin() + long(y) * n, g.begin() + long(y + 1) * n, line.begin() + 4);
    score_line();
  }
  for (int x = 0; x < n; ++x) {
    for (int y = 0; y < n; ++y) line[size_t(y) + 4] = g[size_t(y) * size_t(n) + size_t(x)];
    score_line();
  }
  long dark = 0;
  for (int y = 0; y < n; ++y) {
    const uint8_t* r = g.data() + size_t(y) * size_t(n);
    for (int x = 0; x < n; ++x) {
      dark += r[x];
      if (x + 1 < n && y + 1 < n) {
        uint8_t c = r[x];
        if (r[x + 1] == c && r[x + n] == c && r[x + n + 1] == c) score += 3;
      }
    }
  }
  const long total = long(n) * n;
  const long k = (std::labs(dark * 20 - total * 10) + total - 1) / total - 1;
  score += 10 * std::max(0L, k);
  return score;
}

// qrcodegen's symbol for `text` (byte segment, then an alphanumeric tail when
// that is shorter) with `mask` (-1: its own choice).
Result<QrMatrix> Qrcodegen(std::string_view text, int mask) {
  if (text.size() > 1000) {
    return Status::InvalidArgument("render.qr-too-long", "QR text longer than 1,000 bytes");
  }
  if (mask < -1 || mask > 7) return Status::InvalidArgument("render.qr-mask", "mask not in -1..7");
  size_t split = text.size();
  while (split > 0 && IsAlnum(text[split - 1])) --split;
  using qrcodegen::QrSegment;
  std::vector<QrSegment> segs;
  QrMatrix m0;  // the symbol with mask 0
  // qrcodegen reports impossible input by throwing; none must escape our code.
  try {
    auto bytes = [](std::string_view s) {
      return QrSegment::makeBytes(std::vector<uint8_t>(s.begin(), s.end()));
    };
    size_t tail = text.size() - split;
    if (tail > 0 && (split == 0 || ByteBits(split) + AlnumBits(tail) < ByteBits(text.size()))) {
      if (split > 0) segs.push_back(bytes(text.substr(0, split)));
      segs.push_back(QrSegment::makeAlphanumeric(std::string(text.substr(split)).c_str()));
    } else {
      segs.push_back(bytes(text));
    }
    qrcodegen::QrCode qr = qrcodegen::QrCode::encodeSegments(
        segs, qrcodegen::QrCode::Ecc::MEDIUM, qrcodegen::QrCode::MIN_VERSION,
        qrcodegen::QrCode::MAX_VERSION, mask, /*boostEcl=*/false);
    m0.version = qr.getVersion();
    m0.mask = qr.getMask();
    m0.size = qr.getSize();
    m0.dark.resize(size_t(m0.size) * size_t(m0.size));
    for (int y = 0; y < m0.size; ++y) {
      for (int x = 0; x < m0.size; ++x) {
        m0.dark[size_t(y) * size_t(m0.size) + size_t(x)] = qr.getModule(x, y);
      }
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument("render.qr-too-long",
                                   std::string("QR encoding failed: ") + e.what());
  }
  return m0;
}

}  // namespace

Result<QrMatrix> TEST_EncodeQrWithQrcodegen(std::string_view text, int mask) {
  return Qrcodegen(text, mask);
}

Result<QrMatrix> EncodeQr(std::string_view text, int mask) {
  if (mask < -1 || mask > 7) return Status::InvalidArgument("render.qr-mask", "mask not in -1..7");
  CERTLEDGER_ASSIGN_OR_RETURN(QrMatrix m0, Qrcodegen(text, 0));
  // Re-mask: data modules flip where mask 0 and mask k differ; the format bits
  // are rewritten for k.
  const std::vector<bool> fn = FunctionModules(m0.version, m0.size);
  const int n = m0.size;
  QrMatrix best;
  long best_score = -1;
  std::vector<uint8_t> grid(size_t(n) * size_t(n));
  for (int k = (mask < 0 ? 0 : mask); k <= (mask < 0 ? 7 : mask); ++k) {
    QrMatrix m = m0;
    m.mask = k;
    if (k != 0) {
      for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
          size_t i = size_t(y) * size_t(n) + size_t(x);
          if (!fn[i] && MaskBit(0, x, y) != MaskBit(k, x, y)) m.dark[i] = !m.dark[i];
        }
      }
      DrawFormatBits(&m, k);
    }
    long score = 0;
    if (mask < 0) {
      for (size_t i = 0; i < grid.size(); ++i) grid[i] = m.dark[i];
      score = Penalty(grid, n);
    }
    if (best_score < 0 || score < best_score) {
      best_score = score;
      best = std::move(m);
    }
  }
  return best;
}

}  // namespace certledger::render::internal
