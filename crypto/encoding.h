// Byte-to-text encodings used by the public formats: hex, base64 and
// base64url (RFC 4648 sections 4 and 5), base58btc (the Bitcoin alphabet, as
// used by multibase 'z'), and multibase prefixes 'z' (base58btc) and
// 'u' (base64url, no padding) from the W3C Controlled Identifiers spec
// section 2.4 / draft-multiformats-multibase. Pure functions; thread-safe.
// Decoders are strict: they reject characters outside the alphabet, bad
// padding and non-canonical trailing bits, with kInvalidArgument.
#ifndef CERTLEDGER_CRYPTO_ENCODING_H_
#define CERTLEDGER_CRYPTO_ENCODING_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "crypto/status.h"

namespace certledger::crypto {

std::string HexEncode(std::string_view bytes);  // lowercase
// Accepts upper and lower case. Slug "encoding.bad-hex".
Result<std::string> HexDecode(std::string_view text);

// RFC 4648 section 4, with '=' padding.
std::string Base64Encode(std::string_view bytes);
// Requires canonical padding. Slug "encoding.bad-base64".
Result<std::string> Base64Decode(std::string_view text);

// RFC 4648 section 5, without padding (as multibase 'u' and JOSE use it).
std::string Base64UrlEncode(std::string_view bytes);
// Rejects padding and non-zero trailing bits. Slug "encoding.bad-base64url".
Result<std::string> Base64UrlDecode(std::string_view text);

// base58btc: leading zero bytes become leading '1's.
std::string Base58Encode(std::string_view bytes);
// Slug "encoding.bad-base58".
Result<std::string> Base58Decode(std::string_view text);

enum class Multibase { kBase58Btc, kBase64Url };
// 'z' + base58btc, or 'u' + base64url.
std::string MultibaseEncode(Multibase base, std::string_view bytes);
// Decodes a 'z' or 'u' string. Slug "encoding.bad-multibase" for other prefixes.
Result<std::string> MultibaseDecode(std::string_view text);

// Untrusted text quoted in an error message: at most `max_bytes` bytes of
// `text`, cut only between characters, with each ill-formed UTF-8 sequence
// (RFC 3629 section 4: overlong forms, surrogates, above U+10FFFF, truncated)
// and each C0 control or DEL replaced by '?', and "..." appended when cut.
// The result is always well-formed UTF-8, so a report holding it can be
// serialised as JSON.
std::string Excerpt(std::string_view text, std::size_t max_bytes);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_ENCODING_H_
