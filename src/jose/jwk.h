// EC keys as JWK (RFC 7517, RFC 7518 section 6.2): P-256 and P-384, public or
// private, held as an immutable OpenSSL EVP_PKEY.
#ifndef TOKENWARDEN_JOSE_JWK_H_
#define TOKENWARDEN_JOSE_JWK_H_

#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tokenwarden/result.h"
#include "tokenwarden/secret.h"

namespace tokenwarden::jose {

enum class Curve { kP256, kP384 };

std::string_view CurveName(Curve curve);           // "P-256", "P-384"
Result<Curve> ParseCurve(std::string_view name);   // error names the value
size_t CurveFieldBytes(Curve curve);                // 32, 48

// Thread-safety: immutable after construction; copies share the key.
class EcKey {
 public:
  // Imports a JWK object: kty must be "EC", crv P-256 or P-384, x and y of the
  // curve's exact length, the point on the curve; d (if present) of the exact
  // length and matching x/y. Errors name the field at fault.
  static Result<EcKey> FromJwk(const nlohmann::json& jwk);
  static Result<EcKey> FromJwkString(std::string_view json_text);
  static Result<EcKey> Generate(Curve curve);

  Curve curve() const { return curve_; }
  bool has_private() const { return has_private_; }

  // {"kty":"EC","crv":..,"x":..,"y":..} plus any `extra` members (use, alg, kid).
  nlohmann::json PublicJwk(const nlohmann::json& extra = nlohmann::json::object()) const;
  // The same with "d". REQUIRES: has_private(). Serialized JSON text.
  Secret PrivateJwk(const nlohmann::json& extra = nlohmann::json::object()) const;
  // This key without its private half.
  EcKey PublicOnly() const;

  // Borrowed; valid as long as any copy of this EcKey lives.
  EVP_PKEY* pkey() const { return pkey_.get(); }

  // Builds from an EVP_PKEY whose curve is P-256 or P-384 (takes ownership).
  static Result<EcKey> FromPkey(EVP_PKEY* pkey);

 private:
  EcKey(std::shared_ptr<EVP_PKEY> pkey, Curve curve, bool has_private)
      : pkey_(std::move(pkey)), curve_(curve), has_private_(has_private) {}

  std::shared_ptr<EVP_PKEY> pkey_;
  Curve curve_;
  bool has_private_;
};

}  // namespace tokenwarden::jose

#endif  // TOKENWARDEN_JOSE_JWK_H_
