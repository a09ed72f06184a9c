// Ed25519 (RFC 8032) signing and verification over libsodium, in tink's shape.
//
// Signer and Verifier are immutable once built and may be shared across
// threads. Keys are built by Create() factories that validate lengths; the
// private key seed lives in SecretBytes.
#ifndef CERTLEDGER_CRYPTO_ED25519_H_
#define CERTLEDGER_CRYPTO_ED25519_H_

#include <memory>
#include <string>
#include <string_view>

#include "crypto/secret_bytes.h"
#include "crypto/status.h"

namespace certledger::crypto {

inline constexpr std::size_t kEd25519SeedSize = 32;
inline constexpr std::size_t kEd25519PublicKeySize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;

class Signer {
 public:
  virtual ~Signer() = default;
  // The signature of `msg`. Thread-safe.
  virtual Result<std::string> Sign(std::string_view msg) const = 0;
  // An identifier of the key (for Ed25519: the raw 32-byte public key is in
  // PublicKey(); KeyId() is a caller-assigned label such as a DID URL).
  virtual const std::string& KeyId() const = 0;
  // The raw public key bytes.
  virtual const std::string& PublicKey() const = 0;
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  // OK if `signature` is a valid signature of `msg`; otherwise kInvalidArgument
  // with slug "signature.invalid". Thread-safe.
  virtual Status Verify(std::string_view signature, std::string_view msg) const = 0;
  virtual const std::string& KeyId() const = 0;
  virtual const std::string& PublicKey() const = 0;
};

class Ed25519Signer final : public Signer {
 public:
  // Builds a signer from a 32-byte RFC 8032 seed. kInvalidArgument
  // ("ed25519.bad-seed") on a wrong length.
  static Result<std::unique_ptr<Ed25519Signer>> Create(const SecretBytes& seed,
                                                       std::string key_id = "");
  // A new key from the CSPRNG.
  static std::unique_ptr<Ed25519Signer> Generate(std::string key_id = "");

  Result<std::string> Sign(std::string_view msg) const override;
  const std::string& KeyId() const override { return key_id_; }
  const std::string& PublicKey() const override { return public_key_; }
  // The 32-byte seed (for encrypting at rest).
  const SecretBytes& Seed() const { return seed_; }

 private:
  Ed25519Signer(SecretBytes seed, SecretBytes expanded, std::string public_key, std::string key_id);
  const SecretBytes seed_;
  const SecretBytes expanded_;  // libsodium's 64-byte secret key.
  const std::string public_key_;
  const std::string key_id_;
};

class Ed25519Verifier final : public Verifier {
 public:
  // kInvalidArgument ("ed25519.bad-public-key") on a wrong length.
  static Result<std::unique_ptr<Ed25519Verifier>> Create(std::string_view public_key,
                                                         std::string key_id = "");
  Status Verify(std::string_view signature, std::string_view msg) const override;
  const std::string& KeyId() const override { return key_id_; }
  const std::string& PublicKey() const override { return public_key_; }

 private:
  Ed25519Verifier(std::string public_key, std::string key_id)
      : public_key_(std::move(public_key)), key_id_(std::move(key_id)) {}
  const std::string public_key_;
  const std::string key_id_;
};

// Verifies without building an object (hot paths).
Status Ed25519Verify(std::string_view public_key, std::string_view signature, std::string_view msg);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_ED25519_H_
