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

struct JsonParseOptions {
  // Deepest nesting of arrays/objects accepted (the top-level value is depth 1).
  std::size_t max_depth = 64;
  // Largest input accepted, in bytes.
  std::size_t max_bytes = 16u << 20;
};

// Parses `text` as one JSON value (RFC 8259), strictly: rejects invalid UTF-8,
// lone surrogates in \u escapes, duplicate object keys, numbers that overflow a
// double (no NaN/Infinity exist in JSON), nesting deeper than max_depth,
// trailing garbage. Returns kInvalidArgument with slugs "json.syntax",
// "json.duplicate-key", "json.too-deep", "json.too-large", "json.number-range",
// "json.invalid-utf8".
Result<Json> ParseJson(std::string_view text, const JsonParseOptions& options = {});

// Serializes `value` per RFC 8785. Fails with kInvalidArgument
// ("jcs.non-finite" for NaN/Infinity, "jcs.invalid-utf8" for strings that are
// not valid UTF-8, "jcs.too-deep" past options.max_depth, "jcs.binary" for
// binary values).
Result<std::string> Canonicalize(const Json& value, const JsonParseOptions& options = {});

// RFC 8785 section 3.2.2.3: the ECMAScript Number::toString of `d`.
// REQUIRES: std::isfinite(d). Negative zero gives "0".
std::string FormatEcmaNumber(double d);

}  // namespace crypto
}  // namespace certledger

#endif  // CERTLEDGER_CRYPTO_JSON_H_
