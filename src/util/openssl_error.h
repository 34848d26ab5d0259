// OpenSSL's error queue turned into an Error.
#ifndef TOKENWARDEN_UTIL_OPENSSL_ERROR_H_
#define TOKENWARDEN_UTIL_OPENSSL_ERROR_H_

#include <string_view>

#include "tokenwarden/result.h"

namespace tokenwarden {

// An error of `code` whose message is `what` plus OpenSSL's reason, and
// clears the queue. OpenSSL's reasons never contain key material.
Error OpenSslError(ErrorCode code, std::string_view what);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_OPENSSL_ERROR_H_
