// SHA-256 (FIPS 180-4) over OpenSSL, and hex helpers for digests.
// Pure functions; thread-safe.
#ifndef CERTLEDGER_CRYPTO_HASH_H_
#define CERTLEDGER_CRYPTO_HASH_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace certledger::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

// The SHA-256 of `data`.
Sha256Digest Sha256(std::string_view data);
// The SHA-256 of a || b, without concatenating.
Sha256Digest Sha256(std::string_view a, std::string_view b);

// Incremental SHA-256. Not thread-safe; one per thread.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  // Returns the digest and resets the hasher for reuse.
  Sha256Digest Finish();

 private:
  void* ctx_;  // EVP_MD_CTX, owned.
};

inline std::string_view AsStringView(const Sha256Digest& d) {
  return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
}
inline std::string AsString(const Sha256Digest& d) { return std::string(AsStringView(d)); }

// "sha256:<lowercase hex>", the digest form used in ledger entries.
std::string Sha256Tagged(std::string_view data);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_HASH_H_
