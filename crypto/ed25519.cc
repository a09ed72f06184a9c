#include "crypto/ed25519.h"

#include <sodium.h>

namespace certledger::crypto {

static_assert(crypto_sign_SEEDBYTES == kEd25519SeedSize);
static_assert(crypto_sign_PUBLICKEYBYTES == kEd25519PublicKeySize);
static_assert(crypto_sign_BYTES == kEd25519SignatureSize);

Ed25519Signer::Ed25519Signer(SecretBytes seed, SecretBytes expanded, std::string public_key,
                             std::string key_id)
    : seed_(std::move(seed)),
      expanded_(std::move(expanded)),
      public_key_(std::move(public_key)),
      key_id_(std::move(key_id)) {}

Result<std::unique_ptr<Ed25519Signer>> Ed25519Signer::Create(const SecretBytes& seed,
                                                             std::string key_id) {
  if (seed.size() != kEd25519SeedSize) {
    return Status::InvalidArgument(
        "ed25519.bad-seed", "an Ed25519 seed must be 32 bytes, got " + std::to_string(seed.size()));
  }
  auto access = InsecureSecretAccess::Get();
  SecretBytes expanded;
  expanded.Resize(crypto_sign_SECRETKEYBYTES);
  std::string pk(crypto_sign_PUBLICKEYBYTES, '\0');
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(pk.data()),
                           expanded.MutableData(access),
                           reinterpret_cast<const unsigned char*>(seed.GetSecret(access).data()));
  return std::unique_ptr<Ed25519Signer>(
      new Ed25519Signer(seed, std::move(expanded), std::move(pk), std::move(key_id)));
}

std::unique_ptr<Ed25519Signer> Ed25519Signer::Generate(std::string key_id) {
  auto r = Create(SecretBytes::Random(kEd25519SeedSize), std::move(key_id));
  return std::move(r).value();
}

Result<std::string> Ed25519Signer::Sign(std::string_view msg) const {
  std::string sig(crypto_sign_BYTES, '\0');
  auto access = InsecureSecretAccess::Get();
  if (crypto_sign_detached(
          reinterpret_cast<unsigned char*>(sig.data()), nullptr,
          reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
          reinterpret_cast<const unsigned char*>(expanded_.GetSecret(access).data())) != 0) {
    return Status::Internal("ed25519.sign-failed", "Ed25519 signing failed");
  }
  return sig;
}

Status Ed25519Verify(std::string_view public_key, std::string_view signature,
                     std::string_view msg) {
  if (public_key.size() != kEd25519PublicKeySize) {
    return Status::InvalidArgument("ed25519.bad-public-key",
                                   "an Ed25519 public key must be 32 bytes");
  }
  if (signature.size() != kEd25519SignatureSize) {
    return Status::InvalidArgument(
        "signature.invalid",
        "an Ed25519 signature must be 64 bytes, got " + std::to_string(signature.size()));
  }
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                  reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                  reinterpret_cast<const unsigned char*>(public_key.data())) != 0) {
    return Status::InvalidArgument("signature.invalid", "the Ed25519 signature does not verify");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::Create(std::string_view public_key,
                                                                 std::string key_id) {
  if (public_key.size() != kEd25519PublicKeySize) {
    return Status::InvalidArgument(
        "ed25519.bad-public-key",
        "an Ed25519 public key must be 32 bytes, got " + std::to_string(public_key.size()));
  }
  return std::unique_ptr<Ed25519Verifier>(
      new Ed25519Verifier(std::string(public_key), std::move(key_id)));
}

Status Ed25519Verifier::Verify(std::string_view signature, std::string_view msg) const {
  return Ed25519Verify(public_key_, signature, msg);
}

}  // namespace certledger::crypto
