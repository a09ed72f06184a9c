#include "registry/ids.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "crypto/random.h"

namespace certledger::registry {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string Digits(std::string_view text, std::string_view separators) {
  std::string out;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      out += c;
    } else if (separators.find(c) == std::string_view::npos) {
      return "";
    }
  }
  return out;
}

int CrockfordValue(char c) {
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  for (int i = 0; i < 32; ++i) {
    if (kCrockford[i] == c) return i;
  }
  return -1;
}

// Luhn mod N (N = 32): detects every single-symbol error and most adjacent
// transpositions.
int LuhnMod32(const std::array<int, 16>& v) {
  int sum = 0;
  bool dbl = true;  // the rightmost payload symbol is doubled
  for (int i = 15; i >= 0; --i) {
    int x = v[static_cast<size_t>(i)];
    if (dbl) {
      x *= 2;
      x = x / 32 + x % 32;
    }
    sum += x;
    dbl = !dbl;
  }
  return (32 - sum % 32) % 32;
}

}  // namespace

Result<std::string> ValidateInn(std::string_view text) {
  std::string d = Digits(text, " ");
  auto at = [&d](size_t i) { return d[i] - '0'; };
  auto check = [&](const std::array<int, 11>& w, size_t n) {
    int s = 0;
    for (size_t i = 0; i < n; ++i) s += w[11 - n + i] * at(i);
    return s % 11 % 10;
  };
  // Weights of the Federal Tax Service (right-aligned).
  constexpr std::array<int, 11> k10 = {0, 0, 2, 4, 10, 3, 5, 9, 4, 6, 8};
  constexpr std::array<int, 11> k11 = {0, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
  constexpr std::array<int, 11> k12 = {3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
  if (d.size() == 10) {
    if (check(k10, 9) == at(9)) return d;
  } else if (d.size() == 12) {
    if (check(k11, 10) == at(10) && check(k12, 11) == at(11)) return d;
  } else {
    return Status::InvalidArgument(
        "inn.invalid", "ИНН должен содержать 10 или 12 цифр / an INN has 10 or 12 digits");
  }
  return Status::InvalidArgument(
      "inn.invalid",
      "контрольная цифра ИНН не сходится, проверьте номер / the INN check digit does not match; "
      "check the number");
}

Result<std::string> ValidateSnils(std::string_view text) {
  std::string d = Digits(text, " -");
  if (d.size() != 11) {
    return Status::InvalidArgument(
        "snils.invalid",
        "СНИЛС должен содержать 11 цифр (NNN-NNN-NNN CC) / a SNILS has 11 digits (NNN-NNN-NNN CC)");
  }
  int s = 0;
  for (int i = 0; i < 9; ++i) s += (9 - i) * (d[static_cast<size_t>(i)] - '0');
  int control = s < 100 ? s : (s == 100 || s == 101) ? 0 : s % 101 % 100;
  int given = (d[9] - '0') * 10 + (d[10] - '0');
  // The control number is defined only for numbers above 001-001-998.
  if (d.substr(0, 9) > "001001998" && control != given) {
    return Status::InvalidArgument(
        "snils.invalid",
        "контрольное число СНИЛС не сходится, проверьте номер / the SNILS control number does "
        "not match; check the number");
  }
  return d;
}

std::string NewRegistrationCode() {
  std::string bytes = crypto::RandomBytes(10);  // 80 bits
  std::array<int, 16> v{};
  // 80 bits -> 16 symbols of 5 bits.
  int acc_bits = 0;
  uint32_t acc = 0;
  size_t k = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    acc_bits += 8;
    while (acc_bits >= 5) {
      acc_bits -= 5;
      v[k++] = static_cast<int>((acc >> acc_bits) & 31);
    }
  }
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += kCrockford[v[i]];
  }
  out += '-';
  out += kCrockford[LuhnMod32(v)];
  return out;
}

Result<std::string> NormalizeRegistrationCode(std::string_view typed) {
  std::array<int, 17> v{};
  size_t n = 0;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    int x = CrockfordValue(c);
    if (x < 0 || n >= 17) {
      n = 99;
      break;
    }
    v[n++] = x;
  }
  auto bad = [] {
    return Status::InvalidArgument(
        "code.invalid",
        "регистрационный номер введён с ошибкой: 17 символов вида XXXX-XXXX-XXXX-XXXX-X / the "
        "registration code is mistyped: 17 symbols like XXXX-XXXX-XXXX-XXXX-X");
  };
  if (n != 17) return bad();
  std::array<int, 16> payload{};
  std::copy_n(v.begin(), 16, payload.begin());
  if (LuhnMod32(payload) != v[16]) return bad();
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += kCrockford[v[i]];
  }
  out += '-';
  out += kCrockford[v[16]];
  return out;
}

}  // namespace certledger::registry
