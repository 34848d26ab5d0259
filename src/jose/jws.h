// JWS compact serialization (RFC 7515), ES256 only: raw 64-byte r||s
// signatures (RFC 7518 section 3.4); DER signatures are rejected.
#ifndef TOKENWARDEN_JOSE_JWS_H_
#define TOKENWARDEN_JOSE_JWS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "jose/jwk.h"
#include "tokenwarden/result.h"

namespace tokenwarden::jose {

// Signs `payload` with a P-256 private key; the protected header is
// {"alg":"ES256"} plus `extra_header` (kid, ts, targetUrl, ...).
Result<std::string> SignEs256(std::string_view payload, const EcKey& key,
                              const nlohmann::json& extra_header = nlohmann::json::object());

struct JwsVerified {
  std::string payload;
  nlohmann::json protected_header;
};

// Verifies a compact ES256 JWS with a P-256 public key. Any other alg is
// rejected.
Result<JwsVerified> VerifyEs256(std::string_view compact, const EcKey& key);

}  // namespace tokenwarden::jose

#endif  // TOKENWARDEN_JOSE_JWS_H_
