// SslPtr<T>: unique_ptr with the right OpenSSL free function (tink's SslUniquePtr).
// The only way crypto/ holds OpenSSL objects; no bare *_free calls elsewhere.
#ifndef CERTLEDGER_CRYPTO_INTERNAL_SSL_PTR_H_
#define CERTLEDGER_CRYPTO_INTERNAL_SSL_PTR_H_

#include <memory>

#include <openssl/evp.h>

namespace certledger::crypto::internal {

template <typename T>
struct SslDeleter;
template <>
struct SslDeleter<EVP_MD_CTX> {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
template <>
struct SslDeleter<EVP_PKEY> {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

template <typename T>
using SslPtr = std::unique_ptr<T, SslDeleter<T>>;

}  // namespace certledger::crypto::internal

#endif  // CERTLEDGER_CRYPTO_INTERNAL_SSL_PTR_H_
