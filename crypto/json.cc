// Strict JSON parsing (RFC 8259) and JCS canonicalization (RFC 8785).
#include "crypto/json.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace certledger::crypto {
namespace {

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

// Appends to a std::string through a raw pointer: the string is grown ahead
// (doubling) and trimmed by Finish(), so each byte costs a store rather than a
// std::string::push_back call.
class Sink {
 public:
  explicit Sink(std::string* s) : Sink(s, s->size()) {}
  // Continues after the first `len` bytes of *s (what follows is scratch).
  Sink(std::string* s, std::size_t len) : s_(s), len_(len) {}
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Ensures room for `n` more bytes and returns where they go.
  char* Reserve(std::size_t n) {
    if (s_->size() - len_ < n) [[unlikely]] {
      Grow(n);
    }
    return s_->data() + len_;
  }

  void Put(char c) {
    *Reserve(1) = c;
    ++len_;
  }
  void Append(const char* p, std::size_t n) {
    std::memcpy(Reserve(n), p, n);
    len_ += n;
  }
  void Append(const char* begin, const char* end) {
    Append(begin, static_cast<std::size_t>(end - begin));
  }
  void Fill(std::size_t n, char c) {
    std::memset(Reserve(n), c, n);
    len_ += n;
  }
  // Trims the string to what was written. REQUIRES: called once, last.
  void Finish() { s_->resize(len_); }
  // Bytes written so far, counting what the string held before.
  std::size_t size() const { return len_; }

 private:
  [[gnu::noinline]] void Grow(std::size_t n) {
    s_->resize(std::max({std::size_t{512}, s_->size() * 2, len_ + n}));
  }

  std::string* const s_;
  std::size_t len_;
};

// ---------------------------------------------------------------------------
// UTF-8
// ---------------------------------------------------------------------------

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if the bytes
// there are ill-formed (Unicode 15, section 3.9, Table 3-7: no overlongs, no
// encoded surrogates, nothing above U+10FFFF).
// REQUIRES: i < n and s[i] >= 0x80.
inline std::size_t Utf8SequenceLength(const unsigned char* s, std::size_t i, std::size_t n) {
  const unsigned char c = s[i];
  auto cont = [&](std::size_t j, unsigned char lo, unsigned char hi) {
    return i + j < n && s[i + j] >= lo && s[i + j] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) {
    return cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  }
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

// Byte classes for the string writer: 0 = copied as is, 1 = must be escaped
// (RFC 8785 section 3.2.2.2: '"', '\\' and U+0000..U+001F), 2 = first byte of
// a multi-byte sequence (validated, then copied).
constexpr std::array<unsigned char, 256> MakeByteClasses() {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) t[c] = 2;
  return t;
}
constexpr std::array<unsigned char, 256> kByteClass = MakeByteClasses();

// True if any of the 8 bytes in `w` is not kByteClass 0: below 0x20, '"',
// '\\' or >= 0x80. Each term is the classic exact "has a zero / has a byte
// less than n" bit trick (Hacker's Delight, section 6-1), so there are no
// false negatives.
inline bool HasSpecialByte(std::uint64_t w) {
  constexpr std::uint64_t k01 = 0x0101010101010101ull;
  constexpr std::uint64_t k80 = 0x8080808080808080ull;
  const std::uint64_t below_space = (w - k01 * 0x20) & ~w;
  const std::uint64_t q = w ^ (k01 * '"');
  const std::uint64_t bs = w ^ (k01 * '\\');
  const std::uint64_t quote = (q - k01) & ~q;
  const std::uint64_t backslash = (bs - k01) & ~bs;
  return ((below_space | quote | backslash | w) & k80) != 0;
}

// Appends `s` as a JSON string per RFC 8785 section 3.2.2.2 (which defers to
// ECMAScript JSON.stringify / QuoteJSONString): only '"', '\\' and control
// characters are escaped, with the short forms \b \t \n \f \r where they exist
// and \u00xx (lowercase hex) otherwise; everything else is literal UTF-8.
// Returns false if `s` is not well-formed UTF-8 (*bad_offset = byte offset).
bool AppendQuoted(std::string_view s, Sink* out, std::size_t* bad_offset) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  out->Reserve(n + 2);
  out->Put('"');
  std::size_t run = 0;  // Start of the pending run of bytes to copy verbatim.
  std::size_t i = 0;
  while (i < n) {
    for (std::uint64_t w; i + 8 <= n; i += 8) {
      std::memcpy(&w, p + i, 8);
      if (HasSpecialByte(w)) break;
    }
    if (i >= n) break;
    const unsigned char cls = kByteClass[p[i]];
    if (cls == 0) {
      ++i;
      continue;
    }
    if (cls == 2) {
      const std::size_t len = Utf8SequenceLength(p, i, n);
      if (len == 0) {
        *bad_offset = i;
        return false;
      }
      i += len;
      // Text in a two-byte script (Cyrillic, Greek...): take its letters and
      // the single spaces or punctuation between them here rather than
      // retrying 8 ASCII bytes at a time after each letter.
      while (i + 1 < n) {
        const unsigned char b = p[i];
        if (b >= 0xC2 && b <= 0xDF && (p[i + 1] & 0xC0) == 0x80) {
          i += 2;
        } else if (kByteClass[b] == 0 && p[i + 1] >= 0xC2 && p[i + 1] <= 0xDF) {
          ++i;  // a 2-byte sequence follows: checked by the next round
        } else {
          break;
        }
      }
      continue;
    }
    out->Append(s.data() + run, i - run);
    const unsigned char c = p[i];
    switch (c) {
      case '"':
        out->Append("\\\"", 2);
        break;
      case '\\':
        out->Append("\\\\", 2);
        break;
      case '\b':
        out->Append("\\b", 2);
        break;
      case '\t':
        out->Append("\\t", 2);
        break;
      case '\n':
        out->Append("\\n", 2);
        break;
      case '\f':
        out->Append("\\f", 2);
        break;
      case '\r':
        out->Append("\\r", 2);
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->Append(esc, 6);
      }
    }
    run = ++i;
  }
  out->Append(s.data() + run, n - run);
  out->Put('"');
  return true;
}

// RFC 8785 section 3.2.3: object members are sorted by the UTF-16 code units
// of their names. For well-formed UTF-8 this equals byte order except that a
// code point above U+FFFF (lead byte F0..F4, a surrogate pair D800..DFFF in
// UTF-16) sorts *before* U+E000..U+FFFF (lead byte EE or EF). Two valid
// strings that agree up to their first differing byte agree on character
// boundaries, so comparing that byte with EE/EF lifted above F4 decides.
// The weight is injective, so this is a strict weak order on any bytes.
inline unsigned Utf16Weight(unsigned char b) { return (b == 0xEE || b == 0xEF) ? b + 0x100u : b; }

bool Utf16Less(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  const int c = std::memcmp(a.data(), b.data(), n);
  if (c == 0) return a.size() < b.size();
  std::size_t i = 0;
  while (a[i] == b[i]) ++i;
  return Utf16Weight(static_cast<unsigned char>(a[i])) <
         Utf16Weight(static_cast<unsigned char>(b[i]));
}

// True if byte order and UTF-16 order could disagree for this key.
inline bool MayReorder(std::string_view key) {
  for (unsigned char c : key) {
    if (c >= 0xEE) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Numbers: RFC 8785 section 3.2.2.3 = ECMAScript Number::toString
// (ECMA-262, section 6.1.6.1.20).
// ---------------------------------------------------------------------------

void AppendEcmaNumber(double d, Sink* out) {
  if (d == 0) {  // Both +0 and -0 give "0".
    out->Put('0');
    return;
  }
  // Integers below 2^53 print exactly: no shorter digit string rounds to them,
  // so the shortest digits are the integer's own digits.
  constexpr double kTwo53 = 9007199254740992.0;
  if (d > -kTwo53 && d < kTwo53 && d == std::trunc(d)) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), static_cast<std::int64_t>(d));
    out->Append(buf, r.ptr);
    return;
  }
  if (d < 0) {
    out->Put('-');
    d = -d;
  }
  // Shortest round-trip digits (C++17 [charconv.to.chars]: the shortest
  // representation, ties broken by closeness then round-to-nearest, as
  // ECMA-262 step 5 requires), in the form "d.ddde[+-]xx".
  char sci[32];
  auto r = std::to_chars(sci, sci + sizeof(sci), d, std::chars_format::scientific);
  char digits[20];
  int k = 0;  // Number of significant digits.
  const char* p = sci;
  for (; p < r.ptr && *p != 'e'; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  int exp10 = 0;
  ++p;  // Skip 'e'.
  const bool neg_exp = (*p == '-');
  ++p;  // Skip the sign.
  for (; p < r.ptr; ++p) exp10 = exp10 * 10 + (*p - '0');
  if (neg_exp) exp10 = -exp10;
  const int n = exp10 + 1;  // ECMA-262's n: value = 0.digits * 10^n.

  if (k <= n && n <= 21) {  // Step 6: integer, padded with zeros.
    out->Append(digits, k);
    out->Fill(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {  // Step 7: decimal point inside the digits.
    out->Append(digits, n);
    out->Put('.');
    out->Append(digits + n, k - n);
  } else if (-6 < n && n <= 0) {  // Step 8: 0.000ddd
    out->Append("0.", 2);
    out->Fill(static_cast<std::size_t>(-n), '0');
    out->Append(digits, k);
  } else {  // Steps 9-10: exponential form d.ddde+x / d.ddde-x.
    out->Put(digits[0]);
    if (k > 1) {
      out->Put('.');
      out->Append(digits + 1, k - 1);
    }
    out->Put('e');
    const int e = n - 1;
    out->Put(e < 0 ? '-' : '+');
    char ebuf[8];
    auto er = std::to_chars(ebuf, ebuf + sizeof(ebuf), e < 0 ? -e : e);
    out->Append(ebuf, er.ptr);
  }
}

// ---------------------------------------------------------------------------
// Canonicalization
// ---------------------------------------------------------------------------

// RFC 6901 escaping of one reference token.
void AppendPointerToken(std::string_view token, std::string* out) {
  for (char c : token) {
    if (c == '~') {
      out->append("~0");
    } else if (c == '/') {
      out->append("~1");
    } else {
      out->push_back(c);
    }
  }
}

// A failure plus the JSON pointer (RFC 6901) of the value that caused it,
// built while unwinding so that the success path pays nothing.
struct CanonError {
  const char* slug;
  std::string message;
  // Reference tokens from the failing value up to the root (reversed).
  std::vector<std::string> segments;
};

class Canonicalizer {
 public:
  Canonicalizer(std::size_t max_depth, Sink* out) : max_depth_(max_depth), out_(out) {}

  // Returns false on failure, with error() describing it.
  bool Write(const Json& v, std::size_t depth) {
    switch (v.type()) {
      case Json::value_t::null:
        out_->Append("null", 4);
        return true;
      case Json::value_t::boolean:
        if (*v.get_ptr<const Json::boolean_t*>()) {
          out_->Append("true", 4);
        } else {
          out_->Append("false", 5);
        }
        return true;
      case Json::value_t::number_integer:
        // Section 3.2.2.3: every number is an IEEE-754 double, so integers
        // beyond 2^53 round (9007199254740993 -> 9007199254740992).
        AppendEcmaNumber(static_cast<double>(*v.get_ptr<const Json::number_integer_t*>()), out_);
        return true;
      case Json::value_t::number_unsigned:
        AppendEcmaNumber(static_cast<double>(*v.get_ptr<const Json::number_unsigned_t*>()), out_);
        return true;
      case Json::value_t::number_float: {
        const double d = *v.get_ptr<const Json::number_float_t*>();
        if (!std::isfinite(d)) {
          return Fail("jcs.non-finite", "NaN and Infinity cannot be represented in JSON");
        }
        AppendEcmaNumber(d, out_);
        return true;
      }
      case Json::value_t::string:
        return WriteString(*v.get_ptr<const Json::string_t*>(), "string");
      case Json::value_t::array:
        return WriteArray(*v.get_ptr<const Json::array_t*>(), depth + 1);
      case Json::value_t::object:
        return WriteObject(*v.get_ptr<const Json::object_t*>(), depth + 1);
      case Json::value_t::binary:
        return Fail("jcs.binary", "binary values have no JSON representation");
      case Json::value_t::discarded:
      default:
        return Fail("jcs.discarded", "a discarded value has no JSON representation");
    }
  }

  CanonError& error() { return error_; }

 private:
  bool Fail(const char* slug, std::string message) {
    error_.slug = slug;
    error_.message = std::move(message);
    return false;
  }

  bool WriteString(std::string_view s, const char* what) {
    std::size_t bad = 0;
    if (!AppendQuoted(s, out_, &bad)) {
      return Fail("jcs.invalid-utf8", std::string(what) + " is not well-formed UTF-8 (byte " +
                                          std::to_string(bad) + ")");
    }
    return true;
  }

  bool TooDeep(std::size_t depth) {
    if (depth <= max_depth_) return false;
    Fail("jcs.too-deep", "nesting deeper than " + std::to_string(max_depth_));
    return true;
  }

  bool WriteArray(const Json::array_t& a, std::size_t depth) {
    if (TooDeep(depth)) return false;
    out_->Put('[');
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i != 0) out_->Put(',');
      if (!Write(a[i], depth)) {
        error_.segments.push_back(std::to_string(i));
        return false;
      }
    }
    out_->Put(']');
    return true;
  }

  bool WriteMember(const Json::object_t::value_type& m, std::size_t depth) {
    if (!WriteString(m.first, "member name")) {
      error_.segments.push_back(m.first);  // Raw; sanitized by the caller.
      return false;
    }
    out_->Put(':');
    if (!Write(m.second, depth)) {
      error_.segments.push_back(m.first);
      return false;
    }
    return true;
  }

  bool WriteObject(const Json::object_t& o, std::size_t depth) {
    if (TooDeep(depth)) return false;
    out_->Put('{');
    // The map is in byte order, which is UTF-16 order unless some name has a
    // byte >= 0xEE (section 3.2.3; see Utf16Less). Sort only then.
    bool reorder = false;
    for (const auto& m : o) {
      if (MayReorder(m.first)) {
        reorder = true;
        break;
      }
    }
    bool first = true;
    if (!reorder) {
      for (const auto& m : o) {
        if (!first) out_->Put(',');
        first = false;
        if (!WriteMember(m, depth)) return false;
      }
    } else {
      std::vector<const Json::object_t::value_type*> members;
      members.reserve(o.size());
      for (const auto& m : o) members.push_back(&m);
      std::sort(members.begin(), members.end(),
                [](const auto* a, const auto* b) { return Utf16Less(a->first, b->first); });
      for (const auto* m : members) {
        if (!first) out_->Put(',');
        first = false;
        if (!WriteMember(*m, depth)) return false;
      }
    }
    out_->Put('}');
    return true;
  }

  const std::size_t max_depth_;
  Sink* const out_;
  CanonError error_;
};

// Makes `s` safe to put in a message, which may end up in JSON or a
// terminal: well-formed UTF-8 other than control characters is kept, any other
// byte becomes \xNN.
std::string Printable(std::string_view s, std::size_t limit = 200) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = std::min(s.size(), limit);
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const std::size_t len = Utf8SequenceLength(p, i, s.size()); len != 0) {
        out.append(s.data() + i, len);
        i += len;
        continue;
      }
    }
    out.append("\\x");
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
    ++i;
  }
  if (s.size() > limit) out.append("...");
  return out;
}

// ---------------------------------------------------------------------------
// Parsing: an nlohmann SAX handler that builds the DOM, as
// nlohmann::detail::json_sax_dom_parser does, plus our strictness checks.
// ---------------------------------------------------------------------------

class StrictDomBuilder {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  StrictDomBuilder(Json* root, std::size_t max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return Put(nullptr) != nullptr; }
  bool boolean(bool v) { return Put(v) != nullptr; }
  bool number_integer(number_integer_t v) { return Put(v) != nullptr; }
  bool number_unsigned(number_unsigned_t v) { return Put(v) != nullptr; }
  bool number_float(number_float_t v, const string_t& /*text*/) {
    // The parser already rejects overflow (out_of_range 406, see
    // parse_error); this is a second line of defence.
    if (!std::isfinite(v)) {
      return Fail(Status::InvalidArgument("json.number-range", "number overflows a double"));
    }
    return Put(v) != nullptr;
  }
  bool string(string_t& v) { return Put(std::move(v)) != nullptr; }
  bool binary(binary_t& v) { return Put(Json::binary(std::move(v))) != nullptr; }

  bool start_object(std::size_t /*elements*/) { return Open(Json::value_t::object); }
  bool start_array(std::size_t /*elements*/) { return Open(Json::value_t::array); }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }

  bool key(string_t& k) {
    Frame& f = stack_.back();
    auto& obj = *f.container->get_ptr<Json::object_t*>();
    // RFC 8259 section 4 leaves duplicate names' meaning undefined; RFC 8785
    // section 3.1 requires rejecting them (I-JSON, RFC 7493 section 2.3).
    auto [it, inserted] = obj.try_emplace(std::move(k));
    if (!inserted) {
      std::string quoted;
      Sink sink(&quoted);
      std::size_t unused = 0;
      AppendQuoted(it->first, &sink, &unused);  // The lexer validated the UTF-8.
      sink.Finish();
      return Fail(
          Status::InvalidArgument("json.duplicate-key", "duplicate object key " + Printable(quoted))
              .WithField(PointerTo(&it->first)));
    }
    f.last_key = &it->first;
    pending_ = &it->second;
    return true;
  }

  // Called by nlohmann's parser, with the number of bytes read so far, for
  // lexer and grammar errors (parse_error.101) and number overflow
  // (out_of_range.406).
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const Json::exception& ex) {
    const std::string at = "at byte " + std::to_string(position > 0 ? position - 1 : 0);
    // nlohmann's text is "[json.exception.parse_error.101] parse error at
    // line 1, column 4: syntax error while parsing value - <detail>"; keep
    // what follows the "...: syntax error" prefix.
    std::string_view what = ex.what();
    if (auto colon = what.find(": "); ex.id != 406 && colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    } else if (auto close = what.find("] "); close != std::string_view::npos) {
      what.remove_prefix(close + 2);
    }
    constexpr std::string_view kSyntaxError = "syntax error ";
    if (what.substr(0, kSyntaxError.size()) == kSyntaxError)
      what.remove_prefix(kSyntaxError.size());
    const std::string detail = Printable(what);
    if (ex.id == 406) {  // RFC 8259 section 6; I-JSON (RFC 7493) section 2.2.
      return Fail(Status::InvalidArgument("json.number-range",
                                          "number overflows a double " + at + ": " + detail));
    }
    // nlohmann 3.11's lexer reports ill-formed UTF-8 as "ill-formed UTF-8
    // byte" and unpaired \u escapes as "surrogate U+D800..U+DBFF must be
    // followed by U+DC00..U+DFFF" (RFC 8259 sections 7 and 8.2).
    if (what.find("UTF-8") != std::string_view::npos ||
        what.find("surrogate") != std::string_view::npos) {
      return Fail(Status::InvalidArgument("json.invalid-utf8",
                                          "invalid UTF-8 or lone surrogate " + at + " " + detail));
    }
    return Fail(Status::InvalidArgument("json.syntax", "syntax error " + at + " " + detail));
  }

  // Set once a callback returned false.
  Status& status() { return status_; }

 private:
  struct Frame {
    Json* container;
    const std::string* last_key;  // Objects: the member being parsed.
  };

  bool Fail(Status s) {
    status_ = std::move(s);
    return false;
  }

  // Places `v` where the grammar says the next value goes; returns where.
  template <typename V>
  Json* Put(V&& v) {
    if (stack_.empty()) {
      *root_ = Json(std::forward<V>(v));
      return root_;
    }
    Json* top = stack_.back().container;
    if (top->is_array()) {
      auto& arr = *top->get_ptr<Json::array_t*>();
      arr.emplace_back(std::forward<V>(v));
      return &arr.back();
    }
    *pending_ = Json(std::forward<V>(v));
    return pending_;
  }

  bool Open(Json::value_t type) {
    if (stack_.size() + 1 > max_depth_) {
      return Fail(
          Status::InvalidArgument(
              "json.too-deep", "JSON nesting deeper than " + std::to_string(max_depth_) + " levels")
              .WithField(PointerTo(nullptr)));
    }
    Json* v = Put(type);
    stack_.push_back(Frame{v, nullptr});
    return true;
  }

  // JSON pointer (RFC 6901) of the value about to be placed, or, if
  // `leaf_key` is set, of that member of the innermost open object.
  std::string PointerTo(const std::string* leaf_key) const {
    std::string ptr;
    for (std::size_t i = 0; i < stack_.size(); ++i) {
      const Frame& f = stack_[i];
      const bool innermost = (i + 1 == stack_.size());
      if (innermost && leaf_key != nullptr) break;
      ptr.push_back('/');
      if (f.container->is_array()) {
        // Enclosing levels: their last element is open. Innermost: the value
        // about to be appended.
        const std::size_t size = f.container->size();
        ptr.append(std::to_string(innermost ? size : size - 1));
      } else if (f.last_key != nullptr) {
        AppendPointerToken(*f.last_key, &ptr);
      }
    }
    if (leaf_key != nullptr) {
      ptr.push_back('/');
      AppendPointerToken(*leaf_key, &ptr);
    }
    return Printable(ptr);
  }

  Json* const root_;
  const std::size_t max_depth_;
  std::vector<Frame> stack_;
  Json* pending_ = nullptr;
  Status status_;
};

}  // namespace

Result<Json> ParseJson(std::string_view text, const JsonParseOptions& options) {
  if (text.size() > options.max_bytes) {
    return Status::InvalidArgument("json.too-large", "JSON text of " + std::to_string(text.size()) +
                                                         " bytes exceeds the limit of " +
                                                         std::to_string(options.max_bytes));
  }
  // nlohmann's lexer silently skips a UTF-8 byte order mark; RFC 8259
  // section 8.1 forbids sending one, and we accept exactly one spelling.
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
    return Status::InvalidArgument(
        "json.syntax", "syntax error at byte 0: byte order mark (RFC 8259 section 8.1)");
  }
  try {
    Json root;
    StrictDomBuilder builder(&root, options.max_depth);
    const bool ok = Json::sax_parse(text.data(), text.data() + text.size(), &builder,
                                    Json::input_format_t::json, /*strict=*/true,
                                    /*ignore_comments=*/false);
    if (!ok) {
      if (builder.status().ok()) {  // Cannot happen: every false return sets it.
        return Status::InvalidArgument("json.syntax", "invalid JSON");
      }
      return std::move(builder.status());
    }
    return root;
  } catch (const std::exception& e) {  // bad_alloc, or nlohmann misbehaving.
    return Status::Internal("json.internal", std::string("JSON parsing failed: ") + e.what());
  }
}

namespace {

// Canonicalize()'s result for a failed Canonicalizer::Write.
Status CanonicalizeError(CanonError& e) {
  std::string ptr;
  for (auto it = e.segments.rbegin(); it != e.segments.rend(); ++it) {
    ptr.push_back('/');
    AppendPointerToken(*it, &ptr);
  }
  return Status::InvalidArgument(e.slug, std::move(e.message)).WithField(Printable(ptr));
}

Status CanonicalizeInternalError(const std::exception& e) {
  return Status::Internal("jcs.internal", std::string("canonicalization failed: ") + e.what());
}

}  // namespace

Result<std::string> Canonicalize(const Json& value, const JsonParseOptions& options) {
  try {
    std::string out;
    Sink sink(&out);
    Canonicalizer c(options.max_depth, &sink);
    if (!c.Write(value, 0)) return CanonicalizeError(c.error());
    sink.Finish();
    return out;
  } catch (const std::exception& e) {  // bad_alloc.
    return CanonicalizeInternalError(e);
  }
}

void CanonicalWriter::AppendRaw(std::string_view text) {
  Sink sink(out_, len_);
  sink.Append(text.data(), text.size());
  len_ = sink.size();
}

Status CanonicalWriter::AppendValue(const Json& value, const JsonParseOptions& options) {
  try {
    Sink sink(out_, len_);
    Canonicalizer c(options.max_depth, &sink);
    const bool ok = c.Write(value, 0);
    len_ = sink.size();
    if (!ok) return CanonicalizeError(c.error());
    return Status::Ok();
  } catch (const std::exception& e) {  // bad_alloc.
    return CanonicalizeInternalError(e);
  }
}

std::string FormatEcmaNumber(double d) {
  std::string out;
  Sink sink(&out);
  AppendEcmaNumber(d, &sink);
  sink.Finish();
  return out;
}

Status AppendCanonicalString(std::string_view s, std::string* out) {
  Sink sink(out);
  std::size_t bad = 0;
  bool ok = AppendQuoted(s, &sink, &bad);
  sink.Finish();
  if (!ok) {
    return Status::InvalidArgument(
        "jcs.invalid-utf8", "string is not well-formed UTF-8 (byte " + std::to_string(bad) + ")");
  }
  return Status::Ok();
}

}  // namespace certledger::crypto
