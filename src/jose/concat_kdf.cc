#include "jose/concat_kdf.h"

#include <openssl/core_names.h>

#include "jose/openssl_util.h"

namespace tokenwarden::jose::internal {
namespace {

// A 32-bit big-endian length followed by the bytes.
void AppendLengthPrefixed(std::string& out, std::string_view data) {
  uint32_t n = static_cast<uint32_t>(data.size());
  out += static_cast<char>(n >> 24);
  out += static_cast<char>(n >> 16);
  out += static_cast<char>(n >> 8);
  out += static_cast<char>(n);
  out.append(data);
}

}  // namespace

Result<Secret> ConcatKdf(std::string_view z, size_t key_bytes, std::string_view algorithm_id,
                         std::string_view apu, std::string_view apv) {
  // OtherInfo = AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo
  // (keydatalen in bits, 32-bit big-endian); SuppPrivInfo is empty.
  std::string info;
  AppendLengthPrefixed(info, algorithm_id);
  AppendLengthPrefixed(info, apu);
  AppendLengthPrefixed(info, apv);
  uint32_t bits = static_cast<uint32_t>(key_bytes * 8);
  info += static_cast<char>(bits >> 24);
  info += static_cast<char>(bits >> 16);
  info += static_cast<char>(bits >> 8);
  info += static_cast<char>(bits);

  // Fetched once: immutable and shareable between threads.
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "SSKDF", nullptr);
  if (kdf == nullptr) return OpenSslError(ErrorCode::kInternal, "SSKDF is not available");
  Ossl<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf));
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(z.data()), z.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end()};
  std::string key(key_bytes, '\0');
  if (!ctx || EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char*>(key.data()), key.size(),
                             params) <= 0) {
    SecureZero(key.data(), key.size());
    return OpenSslError(ErrorCode::kInternal, "Concat KDF failed");
  }
  return Secret(std::move(key));
}

}  // namespace tokenwarden::jose::internal
