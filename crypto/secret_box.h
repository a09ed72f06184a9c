// Encryption of secrets at rest (issuer and ledger private keys, SNILS for the
// operator): libsodium's XChaCha20-Poly1305-IETF AEAD under a 32-byte master
// key, which comes from a key file or from a passphrase through Argon2id.
// Sealed format: 24-byte random nonce || ciphertext || 16-byte tag. The
// associated data binds a blob to its row (e.g. the key id), so blobs cannot
// be swapped between rows. Pure functions; thread-safe.
#ifndef CERTLEDGER_CRYPTO_SECRET_BOX_H_
#define CERTLEDGER_CRYPTO_SECRET_BOX_H_

#include <string>
#include <string_view>

#include "crypto/secret_bytes.h"
#include "crypto/status.h"

namespace certledger::crypto {

inline constexpr size_t kMasterKeySize = 32;
inline constexpr size_t kPassphraseSaltSize = 16;

// REQUIRES: key.size() == kMasterKeySize (else kInvalidArgument "secretbox.bad-key").
Result<std::string> Seal(const SecretBytes& key, const SecretBytes& plaintext,
                         std::string_view associated_data);
// Same for public-but-private data such as an e-mail address.
Result<std::string> SealBytes(const SecretBytes& key, std::string_view plaintext,
                              std::string_view associated_data);
// kDataLoss ("secretbox.open-failed") when the blob was altered, the key is
// wrong, or the associated data differs.
Result<SecretBytes> Open(const SecretBytes& key, std::string_view sealed,
                         std::string_view associated_data);

// Argon2id (libsodium crypto_pwhash, "moderate" limits) of `passphrase`.
// REQUIRES: salt.size() == kPassphraseSaltSize. kInvalidArgument for an empty
// passphrase; kUnavailable when memory for Argon2id could not be had.
Result<SecretBytes> DeriveKeyFromPassphrase(const SecretBytes& passphrase, std::string_view salt);

// HMAC-SHA-256 keyed hash (crypto_auth_hmacsha256) for uniqueness of
// personal identifiers (SNILS) without storing them in clear.
std::string KeyedHash(const SecretBytes& key, std::string_view data);

// Constant-time comparison of two public-length strings (token hashes).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_SECRET_BOX_H_
