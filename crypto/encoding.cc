#include "crypto/encoding.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace certledger::crypto {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kB58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::array<int8_t, 256> ReverseTable(const char* alphabet) {
  std::array<int8_t, 256> t;
  t.fill(-1);
  for (int i = 0; alphabet[i] != '\0'; ++i) t[static_cast<uint8_t>(alphabet[i])] = int8_t(i);
  return t;
}

const std::array<int8_t, 256>& B64Rev() {
  static const auto t = ReverseTable(kB64);
  return t;
}
const std::array<int8_t, 256>& B64UrlRev() {
  static const auto t = ReverseTable(kB64Url);
  return t;
}
const std::array<int8_t, 256>& B58Rev() {
  static const auto t = ReverseTable(kB58);
  return t;
}

std::string Base64EncodeWith(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint32_t(p[i]) << 16) | (uint32_t(p[i + 1]) << 8) | p[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint32_t(p[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint32_t(p[i]) << 16) | (uint32_t(p[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

// Decodes unpadded base64 text (padding already stripped and checked).
bool Base64DecodeBody(std::string_view in, const std::array<int8_t, 256>& rev, std::string* out) {
  if (in.size() % 4 == 1) return false;
  out->clear();
  out->reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int8_t v = rev[static_cast<uint8_t>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // RFC 4648 section 3.5: the leftover bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return false;
  return true;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
  return out;
}

Result<std::string> HexDecode(std::string_view text) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) {
    return Status::InvalidArgument("encoding.bad-hex", "hex text must have an even length");
  }
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = nib(text[i]), lo = nib(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("encoding.bad-hex", "invalid hex digit");
    }
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) { return Base64EncodeWith(bytes, kB64, true); }

Result<std::string> Base64Decode(std::string_view text) {
  auto bad = [] {
    return Status::InvalidArgument("encoding.bad-base64", "invalid base64 (RFC 4648 section 4)");
  };
  if (text.size() % 4 != 0) return bad();
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  std::string out;
  if (!Base64DecodeBody(text.substr(0, text.size() - pad), B64Rev(), &out)) return bad();
  return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
  return Base64EncodeWith(bytes, kB64Url, false);
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  std::string out;
  if (!Base64DecodeBody(text, B64UrlRev(), &out)) {
    return Status::InvalidArgument("encoding.bad-base64url",
                                   "invalid base64url (RFC 4648 section 5, no padding)");
  }
  return out;
}

std::string Base58Encode(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t zeros = 0;
  while (zeros < bytes.size() && p[zeros] == 0) ++zeros;
  // The number in little-endian limbs of base 58^5 (< 2^32), fed 3 bytes at
  // a time (limb * 2^24 + carry fits in 64 bits): about 15x fewer divisions
  // than one byte into base-58 digits per step. Every proof is encoded here.
  constexpr uint64_t kLimb = 58ull * 58 * 58 * 58 * 58;
  std::vector<uint32_t> limbs;
  limbs.reserve((bytes.size() - zeros) * 138 / 500 + 2);
  for (size_t i = zeros; i < bytes.size();) {
    const size_t take = std::min<size_t>(3, bytes.size() - i);
    uint64_t carry = 0;
    for (size_t k = 0; k < take; ++k) carry = (carry << 8) | p[i + k];
    i += take;
    const unsigned shift = static_cast<unsigned>(8 * take);
    for (uint32_t& limb : limbs) {
      carry += static_cast<uint64_t>(limb) << shift;
      limb = static_cast<uint32_t>(carry % kLimb);
      carry /= kLimb;
    }
    while (carry != 0) {
      limbs.push_back(static_cast<uint32_t>(carry % kLimb));
      carry /= kLimb;
    }
  }
  // Base-58 digits, most significant first, without leading zero digits.
  std::string digits;
  digits.reserve(limbs.size() * 5);
  for (uint32_t limb : limbs) {
    for (int d = 0; d < 5; ++d) {
      digits += kB58[limb % 58];
      limb /= 58;
    }
  }
  while (!digits.empty() && digits.back() == kB58[0]) digits.pop_back();
  std::string out(zeros, '1');
  out.append(digits.rbegin(), digits.rend());
  return out;
}

Result<std::string> Base58Decode(std::string_view text) {
  size_t ones = 0;
  while (ones < text.size() && text[ones] == '1') ++ones;
  // The number in 32-bit little-endian limbs, fed 5 digits at a time
  // (58^5 < 2^32, so limb * 58^5 + carry fits in 64 bits): about 5x fewer
  // multiplications than one digit per step. This runs on every proofValue.
  std::vector<uint32_t> limbs;
  limbs.reserve(text.size() * 733 / 4000 + 2);
  size_t i = ones;
  while (i < text.size()) {
    uint64_t group = 0, mul = 1;
    for (size_t k = 0; k < 5 && i < text.size(); ++k, ++i) {
      int8_t v = B58Rev()[static_cast<uint8_t>(text[i])];
      if (v < 0) {
        return Status::InvalidArgument(
            "encoding.bad-base58", "invalid base58btc character at offset " + std::to_string(i));
      }
      group = group * 58 + static_cast<uint64_t>(v);
      mul *= 58;
    }
    uint64_t carry = group;
    for (uint32_t& limb : limbs) {
      uint64_t t = static_cast<uint64_t>(limb) * mul + carry;
      limb = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
    while (carry != 0) {
      limbs.push_back(static_cast<uint32_t>(carry));
      carry >>= 32;
    }
  }
  std::string out(ones, '\0');
  bool started = false;
  for (size_t l = limbs.size(); l-- > 0;) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      char b = static_cast<char>((limbs[l] >> shift) & 0xff);
      if (!started && b == 0) continue;
      started = true;
      out += b;
    }
  }
  return out;
}

std::string MultibaseEncode(Multibase base, std::string_view bytes) {
  if (base == Multibase::kBase58Btc) return "z" + Base58Encode(bytes);
  return "u" + Base64UrlEncode(bytes);
}

Result<std::string> MultibaseDecode(std::string_view text) {
  if (text.empty()) {
    return Status::InvalidArgument("encoding.bad-multibase", "empty multibase string");
  }
  if (text[0] == 'z') return Base58Decode(text.substr(1));
  if (text[0] == 'u') return Base64UrlDecode(text.substr(1));
  return Status::InvalidArgument(
      "encoding.bad-multibase",
      std::string("unsupported multibase prefix '") + text[0] + "' (expected 'z' or 'u')");
}

std::string Excerpt(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 3);
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    // RFC 3629 section 4: the well-formed sequences, by first byte.
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto t = static_cast<unsigned char>(text[i + k]);
      ok = k == 1 ? (t >= lo && t <= hi) : (t >= 0x80 && t <= 0xBF);
    }
    if (!ok) len = 1;
    if (out.size() + (ok ? len : 1) > max_bytes) {
      out += "...";
      break;
    }
    if (!ok || c < 0x20 || c == 0x7F) {
      out += '?';
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

}  // namespace certledger::crypto
