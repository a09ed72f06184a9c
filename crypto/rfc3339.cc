#include "crypto/rfc3339.h"

#include <cstdio>
#include <cstring>

#include "crypto/encoding.h"

namespace certledger::crypto {
namespace {

Status TimeMalformed(std::string_view text) {
  return Status::InvalidArgument(
      "time.malformed",
      "not an RFC 3339 date-time (e.g. 2026-01-31T12:00:00Z): \"" + Excerpt(text, 64) + "\"");
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

// http://howardhinnant.github.io/date_algorithms.html#days_from_civil
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::string FormatRfc3339(int64_t unix_ms, bool with_millis) {
  int64_t days = FloorDiv(unix_ms, 86400000);
  int64_t ms_of_day = unix_ms - days * 86400000;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t secs = ms_of_day / 1000;
  // Hand-rolled: this runs for every ledger entry; snprintf was a hot spot.
  char buf[32];
  char* p = buf;
  auto put = [&p](int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    p += width;
  };
  if (y < 0 || y > 9999) {
    std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
    p = buf + std::strlen(buf);
  } else {
    put(y, 4);
  }
  *p++ = '-';
  put(m, 2);
  *p++ = '-';
  put(d, 2);
  *p++ = 'T';
  put(secs / 3600, 2);
  *p++ = ':';
  put(secs / 60 % 60, 2);
  *p++ = ':';
  put(secs % 60, 2);
  if (with_millis) {
    *p++ = '.';
    put(ms_of_day % 1000, 3);
  }
  *p++ = 'Z';
  return std::string(buf, static_cast<size_t>(p - buf));
}

Result<int64_t> ParseDate(std::string_view text) {
  int y, m, d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, &y) ||
      !Digits(text, 5, 2, &m) || !Digits(text, 8, 2, &d) || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > DaysInMonth(y, static_cast<unsigned>(m))) {
    return Status::InvalidArgument(
        "time.malformed", "not a date of the form YYYY-MM-DD: \"" + Excerpt(text, 32) + "\"");
  }
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string FormatDate(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

// RFC 3339 section 5.6: date-time = full-date "T" full-time.
Result<int64_t> ParseRfc3339(std::string_view s) {
  if (s.size() < 20) return TimeMalformed(s);
  auto days = ParseDate(s.substr(0, 10));
  if (!days.ok()) return TimeMalformed(s);
  if (s[10] != 'T' && s[10] != 't') return TimeMalformed(s);
  int hh, mm, ss;
  if (!Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' ||
      !Digits(s, 17, 2, &ss) || hh > 23 || mm > 59 || ss > 60) {
    return TimeMalformed(s);
  }
  size_t pos = 19;
  int64_t ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    int64_t scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return TimeMalformed(s);
  }
  if (pos >= s.size()) return TimeMalformed(s);
  int64_t offset_min = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return TimeMalformed(s);
    }
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return TimeMalformed(s);
  }
  if (pos != s.size()) return TimeMalformed(s);
  if (ss == 60) ss = 59;  // Leap seconds collapse onto :59 (Unix time has none).
  int64_t secs = *days * 86400 + hh * 3600 + mm * 60 + ss - offset_min * 60;
  return secs * 1000 + ms;
}

}  // namespace certledger::crypto
