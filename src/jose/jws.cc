#include "jose/jws.h"

#include <openssl/core_names.h>

#include "jose/base64url.h"
#include "jose/compact.h"
#include "jose/jwe.h"
#include "jose/openssl_util.h"

namespace tokenwarden::jose {
namespace {

using internal::BnToPadded;
using internal::Ossl;
using internal::OpenSslError;

constexpr size_t kCoordBytes = 32;  // P-256

Status RequireP256(const EcKey& key) {
  if (key.curve() != Curve::kP256) {
    return MakeError(ErrorCode::kUnsupported, "ES256 needs a P-256 key");
  }
  return OkStatus();
}

// Raw r||s (64 bytes) to DER, rejecting zero or out-of-range values.
Result<std::string> RawToDer(std::string_view raw) {
  if (raw.size() != 2 * kCoordBytes) {
    return MakeError(ErrorCode::kCryptoFailure, "JWS: ES256 signature must be 64 bytes (r||s), not " +
                                                    std::to_string(raw.size()));
  }
  auto u = reinterpret_cast<const unsigned char*>(raw.data());
  Ossl<BIGNUM> r(BN_bin2bn(u, kCoordBytes, nullptr));
  Ossl<BIGNUM> s(BN_bin2bn(u + kCoordBytes, kCoordBytes, nullptr));
  if (!r || !s || BN_is_zero(r.get()) || BN_is_zero(s.get())) {
    return MakeError(ErrorCode::kCryptoFailure, "JWS: signature has a zero component");
  }
  Ossl<ECDSA_SIG> sig(ECDSA_SIG_new());
  if (!sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OpenSslError(ErrorCode::kInternal, "JWS: cannot build the signature");
  }
  r.release();
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return OpenSslError(ErrorCode::kInternal, "JWS: cannot encode the signature");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<std::string> DerToRaw(std::string_view der) {
  auto p = reinterpret_cast<const unsigned char*>(der.data());
  Ossl<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return OpenSslError(ErrorCode::kInternal, "JWS: cannot decode the signature");
  return BnToPadded(ECDSA_SIG_get0_r(sig.get()), kCoordBytes) +
         BnToPadded(ECDSA_SIG_get0_s(sig.get()), kCoordBytes);
}

}  // namespace

Result<std::string> SignEs256(std::string_view payload, const EcKey& key,
                              const nlohmann::json& extra_header) {
  TW_RETURN_IF_ERROR(RequireP256(key));
  if (!key.has_private()) return MakeError(ErrorCode::kInvalidArgument, "JWS: signing needs a private key");
  nlohmann::json header = extra_header.is_object() ? extra_header : nlohmann::json::object();
  header["alg"] = "ES256";
  std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload);
  Ossl<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  auto u = reinterpret_cast<const unsigned char*>(input.data());
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key.pkey(), nullptr) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, u, input.size()) <= 0) {
    return OpenSslError(ErrorCode::kInternal, "JWS: signing failed");
  }
  std::string der(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len, u, input.size()) <= 0) {
    return OpenSslError(ErrorCode::kInternal, "JWS: signing failed");
  }
  der.resize(len);
  TW_ASSIGN_OR_RETURN(std::string raw, DerToRaw(der));
  return input + "." + Base64UrlEncode(raw);
}

Result<JwsVerified> VerifyEs256(std::string_view compact, const EcKey& key) {
  if (compact.size() > kMaxJoseInputBytes) {
    return MakeError(ErrorCode::kResourceExhausted, "JWS: larger than 1 MiB");
  }
  TW_RETURN_IF_ERROR(RequireP256(key));
  auto parts = internal::SplitCompact(compact);
  if (parts.size() != 3) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "JWS: expected 3 dot-separated parts, found " + std::to_string(parts.size()));
  }
  TW_ASSIGN_OR_RETURN(nlohmann::json header, internal::DecodeJsonObject(parts[0], "JWS header"));
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || *alg != "ES256") {
    return MakeError(ErrorCode::kUnsupported, "JWS: only alg ES256 is accepted");
  }
  if (header.contains("crit")) return MakeError(ErrorCode::kUnsupported, "JWS: unknown \"crit\" extensions");
  auto payload = Base64UrlDecode(parts[1]);
  if (!payload.ok()) return MakeError(ErrorCode::kInvalidArgument, "JWS payload: " + payload.error().message);
  auto raw = Base64UrlDecode(parts[2]);
  if (!raw.ok()) return MakeError(ErrorCode::kInvalidArgument, "JWS signature: " + raw.error().message);
  TW_ASSIGN_OR_RETURN(std::string der, RawToDer(*raw));

  std::string_view input = compact.substr(0, parts[0].size() + 1 + parts[1].size());
  Ossl<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key.pkey(), nullptr) <= 0) {
    return OpenSslError(ErrorCode::kInternal, "JWS: verifier init failed");
  }
  int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                            reinterpret_cast<const unsigned char*>(input.data()), input.size());
  if (ok != 1) return OpenSslError(ErrorCode::kCryptoFailure, "JWS: signature does not verify");
  return JwsVerified{std::move(*payload), std::move(header)};
}

}  // namespace tokenwarden::jose
