#include "util/openssl_error.h"

#include <openssl/err.h>

#include <string>

namespace tokenwarden {

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

}  // namespace tokenwarden
