#include "crypto/hash.h"

#include <cstdlib>

#include <openssl/evp.h>

#include "crypto/internal/ssl_ptr.h"

namespace certledger::crypto {
namespace {

// SHA-256 cannot fail on valid arguments; a failure here is a broken OpenSSL.
[[noreturn]] void Die() { std::abort(); }

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) Die();
  return out;
}

Sha256Digest Sha256(std::string_view a, std::string_view b) {
  Sha256Hasher h;
  h.Update(a);
  h.Update(b);
  return h.Finish();
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) Die();
  if (EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) Die();
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1) Die();
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out;
  unsigned int len = 0;
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) Die();
  if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) Die();
  return out;
}

std::string Sha256Tagged(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  Sha256Digest d = Sha256(data);
  std::string out = "sha256:";
  for (uint8_t b : d) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace certledger::crypto
