#include "jose/jwk.h"

#include <openssl/core_names.h>

#include "jose/base64url.h"
#include "jose/openssl_util.h"

namespace tokenwarden::jose {
namespace {

using internal::BnToPadded;
using internal::Ossl;
using internal::OpenSslError;

Error BadJwk(std::string_view field, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "JWK field \"" + std::string(field) + "\": " + std::string(why));
}

Result<std::string> DecodeCoordinate(const nlohmann::json& jwk, const char* field, size_t size) {
  auto it = jwk.find(field);
  if (it == jwk.end() || !it->is_string()) return BadJwk(field, "missing or not a string");
  auto bytes = Base64UrlDecode(it->get<std::string>());
  if (!bytes.ok()) return BadJwk(field, bytes.error().message);
  if (bytes->size() != size) {
    SecureZero(bytes->data(), bytes->size());
    return BadJwk(field, "must be " + std::to_string(size) + " bytes for the curve, not " +
                             std::to_string(bytes->size()));
  }
  return bytes;
}

Result<Curve> CurveOfPkey(EVP_PKEY* pkey) {
  char name[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
      !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len)) {
    return MakeError(ErrorCode::kUnsupported, "key is not an EC key on a named curve");
  }
  std::string_view n(name, len);
  if (n == "prime256v1" || n == "P-256") return Curve::kP256;
  if (n == "secp384r1" || n == "P-384") return Curve::kP384;
  return MakeError(ErrorCode::kUnsupported, "EC curve " + std::string(n) + " is not supported");
}

std::string GetCoordinate(EVP_PKEY* pkey, const char* param, size_t size) {
  BIGNUM* raw = nullptr;
  EVP_PKEY_get_bn_param(pkey, param, &raw);
  Ossl<BIGNUM> bn(raw);
  return bn ? BnToPadded(bn.get(), size) : std::string(size, '\0');
}

}  // namespace

std::string_view CurveName(Curve curve) { return curve == Curve::kP256 ? "P-256" : "P-384"; }

size_t CurveFieldBytes(Curve curve) { return curve == Curve::kP256 ? 32 : 48; }

Result<Curve> ParseCurve(std::string_view name) {
  if (name == "P-256") return Curve::kP256;
  if (name == "P-384") return Curve::kP384;
  return MakeError(ErrorCode::kUnsupported,
                   "curve \"" + std::string(name.substr(0, 32)) + "\" is not P-256 or P-384");
}

Result<EcKey> EcKey::FromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return MakeError(ErrorCode::kInvalidArgument, "JWK is not a JSON object");
  auto kty = jwk.find("kty");
  if (kty == jwk.end() || !kty->is_string()) return BadJwk("kty", "missing");
  if (*kty != "EC") return BadJwk("kty", "must be \"EC\"");
  auto crv_field = jwk.find("crv");
  if (crv_field == jwk.end() || !crv_field->is_string()) return BadJwk("crv", "missing");
  auto crv = ParseCurve(crv_field->get<std::string>());
  if (!crv.ok()) return BadJwk("crv", crv.error().message);
  size_t size = CurveFieldBytes(*crv);
  TW_ASSIGN_OR_RETURN(std::string x, DecodeCoordinate(jwk, "x", size));
  TW_ASSIGN_OR_RETURN(std::string y, DecodeCoordinate(jwk, "y", size));
  std::string point = "\x04" + x + y;
  bool has_private = jwk.contains("d");
  Ossl<BIGNUM> d;
  if (has_private) {
    TW_ASSIGN_OR_RETURN(std::string d_bytes, DecodeCoordinate(jwk, "d", size));
    d.reset(BN_bin2bn(reinterpret_cast<const unsigned char*>(d_bytes.data()),
                      static_cast<int>(d_bytes.size()), nullptr));
    SecureZero(d_bytes.data(), d_bytes.size());
  }

  Ossl<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  std::string group(CurveName(*crv));
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  if (d) OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get());
  Ossl<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  Ossl<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) <= 0) {
    return OpenSslError(ErrorCode::kCryptoFailure,
                        "JWK fields \"x\"/\"y\": not a point on " + group);
  }
  std::shared_ptr<EVP_PKEY> pkey(raw, EVP_PKEY_free);
  // The point is on the curve and not at infinity. P-256 and P-384 have
  // cofactor 1, so that also puts it in the prime-order group; the full
  // check's extra scalar multiplication (n*Q) would only cost time on every
  // JWE's epk. d must match the point.
  Ossl<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) <= 0) {
    return OpenSslError(ErrorCode::kCryptoFailure,
                        "JWK fields \"x\"/\"y\": not a valid point on " + group);
  }
  if (has_private && EVP_PKEY_pairwise_check(check.get()) <= 0) {
    return OpenSslError(ErrorCode::kCryptoFailure, "JWK field \"d\": does not match \"x\"/\"y\"");
  }
  return EcKey(std::move(pkey), *crv, has_private);
}

Result<EcKey> EcKey::FromJwkString(std::string_view json_text) {
  nlohmann::json jwk = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (jwk.is_discarded()) return MakeError(ErrorCode::kInvalidArgument, "JWK is not valid JSON");
  return FromJwk(jwk);
}

Result<EcKey> EcKey::Generate(Curve curve) {
  std::string group(CurveName(curve));
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group.c_str());
  if (raw == nullptr) return OpenSslError(ErrorCode::kInternal, "EC key generation failed");
  return EcKey(std::shared_ptr<EVP_PKEY>(raw, EVP_PKEY_free), curve, true);
}

Result<EcKey> EcKey::FromPkey(EVP_PKEY* pkey) {
  std::shared_ptr<EVP_PKEY> owned(pkey, EVP_PKEY_free);
  TW_ASSIGN_OR_RETURN(Curve curve, CurveOfPkey(pkey));
  // Every EcKey holds a checked point (see FromJwk), so ECDH need not
  // check it again.
  Ossl<EVP_PKEY_CTX> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) <= 0) {
    return OpenSslError(ErrorCode::kCryptoFailure, "EC key: not a valid point on its curve");
  }
  BIGNUM* d = nullptr;
  bool has_private = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;
  BN_clear_free(d);
  return EcKey(std::move(owned), curve, has_private);
}

nlohmann::json EcKey::PublicJwk(const nlohmann::json& extra) const {
  size_t size = CurveFieldBytes(curve_);
  nlohmann::json jwk = {{"kty", "EC"},
                        {"crv", std::string(CurveName(curve_))},
                        {"x", Base64UrlEncode(GetCoordinate(pkey(), OSSL_PKEY_PARAM_EC_PUB_X, size))},
                        {"y", Base64UrlEncode(GetCoordinate(pkey(), OSSL_PKEY_PARAM_EC_PUB_Y, size))}};
  if (extra.is_object()) {
    for (const auto& [k, v] : extra.items()) {
      if (k != "d" && !jwk.contains(k)) jwk[k] = v;
    }
  }
  return jwk;
}

Secret EcKey::PrivateJwk(const nlohmann::json& extra) const {
  // Built by hand so that "d" never sits in a JSON value that is freed
  // without being zeroed.
  std::string text = PublicJwk(extra).dump();
  std::string d = GetCoordinate(pkey(), OSSL_PKEY_PARAM_PRIV_KEY, CurveFieldBytes(curve_));
  std::string d_b64 = Base64UrlEncode(d);
  text.pop_back();  // the closing brace
  text += ",\"d\":\"";
  text += d_b64;
  text += "\"}";
  SecureZero(d.data(), d.size());
  SecureZero(d_b64.data(), d_b64.size());
  return Secret(std::move(text));
}

EcKey EcKey::PublicOnly() const {
  auto pub = FromJwk(PublicJwk());
  return pub.ok() ? *pub : *this;
}

}  // namespace tokenwarden::jose
