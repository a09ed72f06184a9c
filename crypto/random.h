// The CSPRNG (libsodium randombytes_buf). Thread-safe after crypto::Init().
#ifndef CERTLEDGER_CRYPTO_RANDOM_H_
#define CERTLEDGER_CRYPTO_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace certledger::crypto {

// Initializes libsodium. Every Main calls it once before anything else; it is
// idempotent and thread-safe. Returns false if libsodium could not start.
bool Init();

// `n` bytes from the CSPRNG.
std::string RandomBytes(std::size_t n);
// A uniformly distributed integer in [0, upper_bound). REQUIRES: upper_bound > 0.
uint32_t RandomUniform(uint32_t upper_bound);

}  // namespace certledger::crypto

#endif  // CERTLEDGER_CRYPTO_RANDOM_H_
