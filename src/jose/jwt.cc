#include "jose/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cmath>

#include "jose/base64url.h"
#include "jose/compact.h"
#include "jose/jwe.h"

namespace tokenwarden::jose {
namespace {

constexpr size_t kHs256Bytes = 32;

Error Malformed(std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument, "JWT: " + std::string(why));
}

// A NumericDate claim: nullopt when absent or not a number.
std::optional<TimePoint> NumericDate(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  double v = it->get<double>();
  // TimePoint counts nanoseconds in 64 bits (about +-9.2e9 s from 1970).
  if (!std::isfinite(v) || std::fabs(v) > 9e9) return std::nullopt;
  return FromUnixSeconds(static_cast<long long>(std::floor(v)));
}

Result<std::string> HmacSha256(const Secret& key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.reveal().data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len) == nullptr) {
    return MakeError(ErrorCode::kInternal, "JWT: HMAC failed");
  }
  return std::string(reinterpret_cast<char*>(mac), len);
}

// Header and claims of "header.payload[.signature]".
Result<JwtClaims> DecodeParts(const std::vector<std::string_view>& parts, JwtRequirements req) {
  JwtClaims out;
  TW_ASSIGN_OR_RETURN(out.header, internal::DecodeJsonObject(parts[0], "JWT header"));
  TW_ASSIGN_OR_RETURN(out.claims, internal::DecodeJsonObject(parts[1], "JWT claims"));
  out.iat = NumericDate(out.claims, "iat");
  out.exp = NumericDate(out.claims, "exp");
  out.nbf = NumericDate(out.claims, "nbf");
  if (req.require_exp && !out.exp) return Malformed("claim \"exp\" is missing or not a NumericDate");
  if (req.require_iat && !out.iat) return Malformed("claim \"iat\" is missing or not a NumericDate");
  return out;
}

}  // namespace

Result<JwtClaims> DecodeUnverified(std::string_view token, JwtRequirements req) {
  if (token.size() > kMaxJoseInputBytes) return MakeError(ErrorCode::kResourceExhausted, "JWT: larger than 1 MiB");
  auto parts = internal::SplitCompact(token);
  // Without the key the signature is not looked at, so header.payload will do.
  if (parts.size() != 2 && parts.size() != 3) {
    return Malformed("expected 3 dot-separated parts, found " + std::to_string(parts.size()));
  }
  return DecodeParts(parts, req);
}

Result<JwtClaims> VerifyHs256(std::string_view token, const Secret& key, JwtRequirements req) {
  if (token.size() > kMaxJoseInputBytes) return MakeError(ErrorCode::kResourceExhausted, "JWT: larger than 1 MiB");
  auto parts = internal::SplitCompact(token);
  if (parts.size() != 3) {
    return Malformed("expected 3 dot-separated parts, found " + std::to_string(parts.size()));
  }
  TW_ASSIGN_OR_RETURN(nlohmann::json header, internal::DecodeJsonObject(parts[0], "JWT header"));
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || *alg != "HS256") {
    return MakeError(ErrorCode::kUnsupported, "JWT: only alg HS256 is accepted");
  }
  auto signature = Base64UrlDecode(parts[2]);
  if (!signature.ok()) return Malformed("signature: " + signature.error().message);
  std::string_view input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  TW_ASSIGN_OR_RETURN(std::string mac, HmacSha256(key, input));
  if (signature->size() != kHs256Bytes ||
      CRYPTO_memcmp(signature->data(), mac.data(), kHs256Bytes) != 0) {
    return MakeError(ErrorCode::kCryptoFailure, "JWT: signature does not verify");
  }
  return DecodeParts(parts, req);
}

Result<std::string> SignHs256(const nlohmann::json& claims, const Secret& key) {
  if (!claims.is_object()) return Malformed("claims must be a JSON object");
  std::string input = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                      Base64UrlEncode(claims.dump());
  TW_ASSIGN_OR_RETURN(std::string mac, HmacSha256(key, input));
  return input + "." + Base64UrlEncode(mac);
}

}  // namespace tokenwarden::jose
