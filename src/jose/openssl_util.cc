#include "jose/openssl_util.h"

namespace tokenwarden::jose::internal {

std::string BnToPadded(const BIGNUM* bn, size_t size) {
  std::string out(size, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size));
  return out;
}

}  // namespace tokenwarden::jose::internal
