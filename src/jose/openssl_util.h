// OpenSSL handles in unique_ptr, and OpenSSL's error queue turned into an
// Error. Private to jose/.
#ifndef TOKENWARDEN_JOSE_OPENSSL_UTIL_H_
#define TOKENWARDEN_JOSE_OPENSSL_UTIL_H_

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>
#include <string_view>

#include "tokenwarden/result.h"
#include "util/openssl_error.h"

namespace tokenwarden::jose::internal {

struct OsslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
  void operator()(BIGNUM* p) const { BN_clear_free(p); }
  void operator()(BN_CTX* p) const { BN_CTX_free(p); }
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};

template <typename T>
using Ossl = std::unique_ptr<T, OsslFree>;

using tokenwarden::OpenSslError;

// Big-endian unsigned bytes of `bn`, left-padded to `size`.
std::string BnToPadded(const BIGNUM* bn, size_t size);

}  // namespace tokenwarden::jose::internal

#endif  // TOKENWARDEN_JOSE_OPENSSL_UTIL_H_
