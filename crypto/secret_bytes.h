// SecretBytes: a buffer for secret key material (tink's RestrictedData).
//
// Wipes itself on destruction (sodium_memzero), compares in constant time, has
// no conversion to std::string and no operator<<. Reading the bytes takes a
// token from InsecureSecretAccess::Get(), so `grep InsecureSecretAccess` finds
// every place that touches a secret. Not thread-safe for mutation; const
// access may be shared.
#ifndef CERTLEDGER_CRYPTO_SECRET_BYTES_H_
#define CERTLEDGER_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace certledger::crypto {

class InsecureSecretAccess {
 public:
  static InsecureSecretAccess Get() { return InsecureSecretAccess(); }

 private:
  InsecureSecretAccess() = default;
};

class SecretBytes {
 public:
  SecretBytes() = default;
  // Copies `data`; the caller wipes its own copy.
  SecretBytes(std::string_view data, InsecureSecretAccess);
  // A buffer of `size` bytes from the CSPRNG.
  static SecretBytes Random(std::size_t size);
  ~SecretBytes();

  SecretBytes(const SecretBytes& other);
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;

  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  // The secret. The view is valid while *this lives and is not modified.
  std::string_view GetSecret(InsecureSecretAccess) const {
    return std::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size());
  }
  // Writable access for filling a secret in place. REQUIRES: size fixed first.
  uint8_t* MutableData(InsecureSecretAccess) { return bytes_.data(); }
  void Resize(std::size_t size);

  // Constant-time comparison (sodium_memcmp); sizes are not secret.
  bool operator==(const SecretBytes& other) const;

 private:
  void Wipe();
  std::vector<uint8_t> bytes_;
};

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_SECRET_BYTES_H_
