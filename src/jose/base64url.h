// base64url without padding (RFC 7515 section 2), strict on input.
#ifndef TOKENWARDEN_JOSE_BASE64URL_H_
#define TOKENWARDEN_JOSE_BASE64URL_H_

#include <string>
#include <string_view>

#include "tokenwarden/result.h"

namespace tokenwarden::jose {

std::string Base64UrlEncode(std::string_view bytes);

// Rejects padding, characters outside [A-Za-z0-9_-], a length of 1 mod 4, and
// non-zero unused trailing bits (so every input has one decoding).
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace tokenwarden::jose

#endif  // TOKENWARDEN_JOSE_BASE64URL_H_
