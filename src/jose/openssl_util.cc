#include "jose/openssl_util.h"

#include <openssl/err.h>

namespace tokenwarden::jose::internal {

Error OpenSslError(ErrorCode code, std::string_view what) {
  std::string message(what);
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    message += " (" + std::string(buf) + ")";
  }
  ERR_clear_error();
  return MakeError(code, std::move(message));
}

std::string BnToPadded(const BIGNUM* bn, size_t size) {
  std::string out(size, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size));
  return out;
}

}  // namespace tokenwarden::jose::internal
