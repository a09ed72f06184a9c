// The learner's hashed identifier in a certificate (docs/formats.md
// "Learner identity"), shared by the registry, which writes it, and the
// verifier, which checks it: one Open Badges 3.0 IdentityObject
//
//   {"type": "IdentityObject", "identityType": "identifier", "hashed": true,
//    "identityHash": "sha256$<hex of SHA-256(code || identifier)>"}
//
// where `code` is the 32 lowercase hex digits of 16 random bytes (the salt,
// not published in the credential) and `identifier` is the learner
// identifier without spaces and hyphens (a SNILS: its 11 digits). The code is
// the learner's secret "identity check code" (код проверки личности): the
// provider hands it to the learner, the learner to whom they choose.
// Credentials issued before the salt was withheld carry it as "salt".
//
// Pure functions; thread-safe.
#ifndef CERTLEDGER_CRYPTO_LEARNER_IDENTITY_H_
#define CERTLEDGER_CRYPTO_LEARNER_IDENTITY_H_

#include <optional>
#include <string>
#include <string_view>

namespace certledger::crypto {

// The identifier as hashed: `id` without spaces and hyphens
// ("112-233-445 95" -> "11223344595").
std::string NormalizeLearnerId(std::string_view id);

// "sha256$" + lowercase hex of SHA-256(code_hex || NormalizeLearnerId(id)).
// `code_hex` is the code as stored (lowercase hex, no separators).
std::string LearnerIdentityHash(std::string_view code_hex, std::string_view id);

// A new code: 32 lowercase hex digits of 16 random bytes.
std::string NewIdentityCode();

// The code as shown to people: groups of four hex digits joined by '-'
// ("1f0c-9a7e-...", 39 characters for a 32-digit code).
std::string FormatIdentityCode(std::string_view code_hex);

// The code as typed: spaces and hyphens dropped, letters lowered. nullopt
// unless what remains is 1..128 hex digits.
std::optional<std::string> ParseIdentityCode(std::string_view text);

// Whether `identity_hash` ("sha256$<hex>", either case) is the hash of
// `code_hex` and `id`. For credentials whose identifier was hashed as the
// provider typed it (issued before the identifier was normalized), `id`
// exactly as given also matches.
bool LearnerIdentityMatches(std::string_view identity_hash, std::string_view code_hex,
                            std::string_view id);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_LEARNER_IDENTITY_H_
