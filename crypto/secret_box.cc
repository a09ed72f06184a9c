#include "crypto/secret_box.h"

#include <sodium.h>

namespace certledger::crypto {
namespace {

constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kMasterKeySize);

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Result<std::string> SealBytes(const SecretBytes& key, std::string_view plaintext,
                              std::string_view ad) {
  if (key.size() != kMasterKeySize) {
    return Status::InvalidArgument("secretbox.bad-key", "the master key must be 32 bytes");
  }
  std::string out(kNonce + plaintext.size() + kTag, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, kNonce);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(o + kNonce, &clen, U(plaintext), plaintext.size(),
                                             U(ad), ad.size(), nullptr, o,
                                             U(key.GetSecret(InsecureSecretAccess::Get())));
  out.resize(kNonce + clen);
  return out;
}

Result<std::string> Seal(const SecretBytes& key, const SecretBytes& plaintext,
                         std::string_view ad) {
  return SealBytes(key, plaintext.GetSecret(InsecureSecretAccess::Get()), ad);
}

Result<SecretBytes> Open(const SecretBytes& key, std::string_view sealed, std::string_view ad) {
  if (key.size() != kMasterKeySize) {
    return Status::InvalidArgument("secretbox.bad-key", "the master key must be 32 bytes");
  }
  if (sealed.size() < kNonce + kTag) {
    return Status::DataLoss("secretbox.open-failed", "sealed secret is truncated");
  }
  SecretBytes out;
  auto access = InsecureSecretAccess::Get();
  out.Resize(sealed.size() - kNonce - kTag);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out.MutableData(access), &mlen, nullptr, U(sealed) + kNonce, sealed.size() - kNonce,
          U(ad), ad.size(), U(sealed), U(key.GetSecret(access))) != 0) {
    return Status::DataLoss("secretbox.open-failed",
                            "cannot decrypt a stored secret: wrong master key or altered data");
  }
  return out;
}

Result<SecretBytes> DeriveKeyFromPassphrase(const SecretBytes& passphrase, std::string_view salt) {
  if (passphrase.empty()) {
    return Status::InvalidArgument("secretbox.bad-passphrase", "the passphrase is empty");
  }
  if (salt.size() != crypto_pwhash_SALTBYTES) {
    return Status::InvalidArgument("secretbox.bad-salt", "the passphrase salt must be 16 bytes");
  }
  auto access = InsecureSecretAccess::Get();
  SecretBytes key;
  key.Resize(kMasterKeySize);
  auto pass = passphrase.GetSecret(access);
  if (crypto_pwhash(key.MutableData(access), kMasterKeySize, pass.data(), pass.size(), U(salt),
                    crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Unavailable("secretbox.argon2-memory",
                               "not enough memory for Argon2id key derivation");
  }
  return key;
}

std::string KeyedHash(const SecretBytes& key, std::string_view data) {
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_state st;
  auto k = key.GetSecret(InsecureSecretAccess::Get());
  crypto_auth_hmacsha256_init(&st, U(k), k.size());
  crypto_auth_hmacsha256_update(&st, U(data), data.size());
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(out.data()));
  sodium_memzero(&st, sizeof st);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace certledger::crypto
