// Ed25519 keys as W3C Multikey strings and did:key identifiers.
//
// Specs:
// - W3C Controlled Identifiers v1.0, section 2.2.2 "Multikey": an Ed25519
//   public key is publicKeyMultibase = 'z' + base58btc(0xed 0x01 || key), and a
//   secret key is secretKeyMultibase = 'z' + base58btc(0x80 0x26 || seed)
//   (0xed 0x01 and 0x80 0x26 are the unsigned-varint multicodec headers
//   ed25519-pub = 0xed and ed25519-priv = 0x1300).
// - The did:key Method v0.9 (W3C CCG), "The did:key Format"
//   (`did:key:<mb-value>`) and "Document Creation Algorithm" (the
//   verification method id is `did:key:<mb-value>#<mb-value>`).
//
// All functions are pure and thread-safe. Decoders are strict: they accept
// exactly one spelling of each key.
#ifndef CERTLEDGER_CRYPTO_MULTIKEY_H_
#define CERTLEDGER_CRYPTO_MULTIKEY_H_

#include <string>
#include <string_view>

#include "crypto/secret_bytes.h"
#include "crypto/status.h"

namespace certledger::crypto {

// Stable slugs (public API: do not rename).
inline constexpr char kMultikeyMalformed[] = "multikey.malformed";
inline constexpr char kDidKeyMalformed[] = "didkey.malformed";

// 'z' + base58btc(0xed 0x01 || public_key). kInvalidArgument
// ("ed25519.bad-public-key") unless public_key is 32 bytes.
Result<std::string> EncodeEd25519Multikey(std::string_view public_key);

// The raw 32-byte public key of a publicKeyMultibase string. kInvalidArgument
// ("multikey.malformed") unless `multikey` is 'z' + base58btc of exactly
// 34 bytes starting 0xed 0x01.
Result<std::string> DecodeEd25519Multikey(std::string_view multikey);

// secretKeyMultibase: 'z' + base58btc(0x80 0x26 || seed), returned as
// SecretBytes because the text is the secret. kInvalidArgument
// ("ed25519.bad-seed") unless the seed is 32 bytes.
Result<SecretBytes> EncodeEd25519SecretMultikey(const SecretBytes& seed);

// The 32-byte seed of a secretKeyMultibase string. kInvalidArgument
// ("multikey.malformed") unless it is 'z' + base58btc of exactly 34 bytes
// starting 0x80 0x26. The message never contains the input.
Result<SecretBytes> DecodeEd25519SecretMultikey(const SecretBytes& multikey);

// "did:key:z6Mk…". kInvalidArgument ("ed25519.bad-public-key") unless 32 bytes.
Result<std::string> DidKeyFromEd25519(std::string_view public_key);

// "did:key:z6Mk…#z6Mk…", the verification method id of that DID.
Result<std::string> DidKeyVerificationMethod(std::string_view public_key);

// The 32-byte Ed25519 public key named by a did:key DID or verification method
// URL ("did:key:z6Mk…" or "did:key:z6Mk…#z6Mk…"). Strict: no path, query or
// version; a fragment must repeat the method-specific id. kInvalidArgument
// ("didkey.malformed") for anything else, including other DID methods and
// did:key values whose multicodec is not ed25519-pub.
Result<std::string> ResolveDidKey(std::string_view did_or_vm_url);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_MULTIKEY_H_
