#include "crypto/hash.h"

#include <cstdlib>

#include <openssl/evp.h>

#include "crypto/internal/ssl_ptr.h"

namespace certledger::crypto {
namespace {

// SHA-256 cannot fail on valid arguments; a failure here is a broken OpenSSL.
[[noreturn]] void Die() { std::abort(); }

// OpenSSL 3 looks the algorithm up in its provider store (under a lock) on
// every EVP_sha256() digest; fetch it once instead. Merkle hashing makes
// millions of 65-byte digests, where that lookup would dominate.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) Die();
    return m;
  }();
  return md;
}

// One reusable context per thread: no allocation per digest.
EVP_MD_CTX* ThreadCtx() {
  thread_local internal::SslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx) Die();
  return ctx.get();
}

Sha256Digest Digest2(std::string_view a, std::string_view b) {
  EVP_MD_CTX* ctx = ThreadCtx();
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, a.data(), a.size()) != 1 ||
      (!b.empty() && EVP_DigestUpdate(ctx, b.data(), b.size()) != 1) ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) {
    Die();
  }
  return out;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) { return Digest2(data, {}); }

Sha256Digest Sha256(std::string_view a, std::string_view b) { return Digest2(a, b); }

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) Die();
  if (EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), Sha256Md(), nullptr) != 1) Die();
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
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1) Die();
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
