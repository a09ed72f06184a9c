// Strict JSON parsing and RFC 8785 JSON Canonicalization Scheme (JCS).
//
// The parsed form is nlohmann::json (its object keys are byte-ordered maps, so
// duplicate keys cannot be represented: ParseJson rejects them instead of
// silently keeping one). The canonical serializer is ours, per RFC 8785:
// UTF-16 code-unit key ordering (section 3.2.3), ECMAScript Number-to-String
// (section 3.2.2.3), minimal string escaping (section 3.2.2.2).
// All functions are pure and thread-safe.
#ifndef CERTLEDGER_CRYPTO_JSON_H_
#define CERTLEDGER_CRYPTO_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crypto/status.h"

namespace certledger {

using Json = nlohmann::json;

namespace crypto {

// Limits on untrusted input. Slugs below are public API: do not rename them.
struct JsonParseOptions {
  // Deepest nesting of arrays/objects accepted: "[]" has depth 1, "[[]]" 2;
  // scalars add nothing.
  std::size_t max_depth = 64;
  // Largest input accepted, in bytes.
  std::size_t max_bytes = 16u << 20;
};

// Parses `text` as one JSON value (RFC 8259), strictly: rejects invalid UTF-8,
// lone surrogates in \u escapes, duplicate object keys (RFC 8785 section 3.1,
// I-JSON), numbers that overflow a double (no NaN/Infinity exist in JSON),
// nesting deeper than max_depth, a leading byte order mark, trailing garbage.
// Integers keep nlohmann's int64/uint64 types (Canonicalize treats them as
// doubles). Never throws. Returns kInvalidArgument with slug:
//   "json.syntax"        any other grammar error; the message gives the byte
//                        offset where the parser stopped,
//   "json.duplicate-key" the message names the key, field() is its JSON
//                        pointer (RFC 6901),
//   "json.too-deep"      field() points at the first container too deep,
//   "json.too-large"     text.size() > max_bytes (checked before parsing),
//   "json.number-range"  a number overflows a double (1e400),
//   "json.invalid-utf8"  ill-formed UTF-8 or an unpaired surrogate escape in a
//                        string (outside strings such bytes are json.syntax),
// or kInternal "json.internal" if memory runs out.
Result<Json> ParseJson(std::string_view text, const JsonParseOptions& options = {});

// Serializes `value` per RFC 8785. `value` need not come from ParseJson:
// numbers of any nlohmann type are converted to double first (section 3.2.2.3),
// strings and keys are checked to be UTF-8. Never throws. Fails with
// kInvalidArgument, field() giving the JSON pointer of the offending value:
//   "jcs.non-finite"   NaN or Infinity,
//   "jcs.invalid-utf8" a string or member name that is not well-formed UTF-8,
//   "jcs.too-deep"     containers nested deeper than options.max_depth
//                      (options.max_bytes is not used),
//   "jcs.binary"       a binary value (nlohmann's CBOR/MessagePack extension),
//   "jcs.discarded"    a discarded value,
// or kInternal "jcs.internal" if memory runs out.
Result<std::string> Canonicalize(const Json& value, const JsonParseOptions& options = {});

// RFC 8785 section 3.2.2.3: the ECMAScript Number::toString of `d`.
// REQUIRES: std::isfinite(d). Negative zero gives "0".
std::string FormatEcmaNumber(double d);

// Appends `s` to *out as an RFC 8785 string (section 3.2.2.2), for callers
// that write canonical JSON of a known shape directly (ledger entries).
// kInvalidArgument "jcs.invalid-utf8" if `s` is not well-formed UTF-8 (*out
// is then unspecified).
Status AppendCanonicalString(std::string_view s, std::string* out);

// The member `key` of `obj`, or nullptr when `obj` is not an object or has no
// such member.
inline const Json* FindMember(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

// The string member `key` of `obj`, or "" when absent or not a string.
inline std::string StringOrEmpty(const Json& obj, const char* key) {
  const Json* v = FindMember(obj, key);
  return v != nullptr && v->is_string() ? v->get_ref<const std::string&>() : std::string();
}

// Writes canonical JSON from pieces into one buffer, for callers that build a
// document's RFC 8785 form member by member (Data Integrity hashes a document
// without its proof that way) without a string per member. Not thread-safe.
class CanonicalWriter {
 public:
  // Appends to *out. REQUIRES: *out outlives the writer and is used only
  // through it until Finish().
  explicit CanonicalWriter(std::string* out) : out_(out), len_(out->size()) {}
  CanonicalWriter(const CanonicalWriter&) = delete;
  CanonicalWriter& operator=(const CanonicalWriter&) = delete;

  // Appends `text` as it is (punctuation and names the caller made canonical).
  void AppendRaw(std::string_view text);
  // Appends Canonicalize(value, options). On failure returns exactly the
  // Status Canonicalize would, and what this call wrote is unspecified.
  Status AppendValue(const Json& value, const JsonParseOptions& options = {});
  // Bytes written so far, counting what *out held before.
  std::size_t size() const { return len_; }
  // Trims *out to what was written. REQUIRES: called once, last.
  void Finish() { out_->resize(len_); }

 private:
  std::string* const out_;
  std::size_t len_;  // *out may be longer; the bytes after len_ are scratch
};

}  // namespace crypto
}  // namespace certledger

#endif  // CERTLEDGER_CRYPTO_JSON_H_
