// The Concat KDF of RFC 7518 section 4.6.2 (NIST SP 800-56A one-step KDF
// with SHA-256), computed by OpenSSL's SSKDF. Private to jose/.
#ifndef TOKENWARDEN_JOSE_CONCAT_KDF_H_
#define TOKENWARDEN_JOSE_CONCAT_KDF_H_

#include <string>
#include <string_view>

#include "tokenwarden/result.h"
#include "tokenwarden/secret.h"

namespace tokenwarden::jose::internal {

// Derives `key_bytes` bytes from the shared secret Z. `algorithm_id` is the
// "enc" value for direct ECDH-ES, else the "alg" value; apu/apv are raw bytes.
Result<Secret> ConcatKdf(std::string_view z, size_t key_bytes, std::string_view algorithm_id,
                         std::string_view apu, std::string_view apv);

}  // namespace tokenwarden::jose::internal

#endif  // TOKENWARDEN_JOSE_CONCAT_KDF_H_
