#include "crypto/random.h"

#include <sodium.h>

namespace certledger::crypto {

bool Init() { return sodium_init() >= 0; }

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

uint32_t RandomUniform(uint32_t upper_bound) { return randombytes_uniform(upper_bound); }

}  // namespace certledger::crypto
