#include "jose/jwe.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>

#include <string>
#include <vector>

#include "jose/base64url.h"
#include "jose/compact.h"
#include "jose/concat_kdf.h"
#include "jose/openssl_util.h"
#include "util/fetched_cipher.h"

namespace tokenwarden::jose {
namespace {

using internal::Ossl;
using internal::OpenSslError;

constexpr size_t kIvBytes = 12;
constexpr size_t kTagBytes = 16;

size_t EncKeyBytes(ContentEnc enc) {
  switch (enc) {
    case ContentEnc::kA128Gcm: return 16;
    case ContentEnc::kA192Gcm: return 24;
    case ContentEnc::kA256Gcm: return 32;
  }
  return 32;
}

// Key-wrap key size; 0 for direct key agreement.
size_t WrapKeyBytes(KeyAlg alg) {
  switch (alg) {
    case KeyAlg::kEcdhEs: return 0;
    case KeyAlg::kEcdhEsA128Kw: return 16;
    case KeyAlg::kEcdhEsA192Kw: return 24;
    case KeyAlg::kEcdhEsA256Kw: return 32;
  }
  return 0;
}

const char* GcmCipherName(ContentEnc enc) {
  switch (enc) {
    case ContentEnc::kA128Gcm: return "AES-128-GCM";
    case ContentEnc::kA192Gcm: return "AES-192-GCM";
    case ContentEnc::kA256Gcm: return "AES-256-GCM";
  }
  return "AES-256-GCM";
}

const char* WrapCipherName(size_t key_bytes) {
  return key_bytes == 16 ? "AES-128-WRAP" : key_bytes == 24 ? "AES-192-WRAP" : "AES-256-WRAP";
}

Error Malformed(std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument, "JWE: " + std::string(why));
}

Result<std::string> DecodePart(std::string_view part, std::string_view name) {
  auto bytes = Base64UrlDecode(part);
  if (!bytes.ok()) return Malformed(std::string(name) + ": " + bytes.error().message);
  return bytes;
}

// ECDH between `own` (private) and `peer` (public): the shared secret Z.
// Every EcKey's point was checked when it was made (on the curve, not at
// infinity; with cofactor 1 that is the prime-order group), so the peer is
// set without OpenSSL's full re-check, an extra scalar multiplication that
// cost a third of each decrypt.
Result<Secret> Agree(const EcKey& own, const EcKey& peer) {
  Ossl<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.pkey(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.pkey(), /*validate_peer=*/0) <= 0 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) <= 0) {
    return OpenSslError(ErrorCode::kCryptoFailure, "JWE: ECDH key agreement failed");
  }
  std::string z(len, '\0');
  if (EVP_PKEY_derive(ctx.get(), reinterpret_cast<unsigned char*>(z.data()), &len) <= 0) {
    SecureZero(z.data(), z.size());
    return OpenSslError(ErrorCode::kCryptoFailure, "JWE: ECDH key agreement failed");
  }
  z.resize(len);
  return Secret(std::move(z));
}

// AES key wrap (RFC 3394) in either direction.
Result<Secret> KeyWrap(bool wrap, const Secret& kek, std::string_view in) {
  const EVP_CIPHER* cipher = FetchedCipher(WrapCipherName(kek.size()));
  Ossl<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) return OpenSslError(ErrorCode::kInternal, "JWE: AES key wrap unavailable");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  const auto* key = reinterpret_cast<const unsigned char*>(kek.reveal().data());
  if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key, nullptr, wrap ? 1 : 0) <= 0) {
    return OpenSslError(ErrorCode::kInternal, "JWE: AES key wrap init failed");
  }
  std::string out(in.size() + 16, '\0');
  int len = 0, fin = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_CipherUpdate(ctx.get(), o, &len, reinterpret_cast<const unsigned char*>(in.data()),
                       static_cast<int>(in.size())) <= 0 ||
      EVP_CipherFinal_ex(ctx.get(), o + len, &fin) <= 0) {
    SecureZero(out.data(), out.size());
    return OpenSslError(ErrorCode::kCryptoFailure,
                        wrap ? "JWE: key wrap failed" : "JWE: key unwrap failed (wrong key or tampered)");
  }
  out.resize(static_cast<size_t>(len + fin));
  return Secret(std::move(out));
}

struct GcmOutput {
  std::string ciphertext;
  std::string tag;
};

Result<GcmOutput> GcmEncrypt(ContentEnc enc, const Secret& cek, std::string_view iv,
                             std::string_view aad, std::string_view plaintext) {
  const EVP_CIPHER* cipher = FetchedCipher(GcmCipherName(enc));
  Ossl<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  GcmOutput out{std::string(plaintext.size(), '\0'), std::string(kTagBytes, '\0')};
  int len = 0;
  auto u = [](std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  if (!cipher || !ctx ||
      EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, u(cek.reveal()), u(iv)) <= 0 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) <= 0 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.ciphertext.data()), &len,
                        u(plaintext), static_cast<int>(plaintext.size())) <= 0 ||
      EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) <= 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out.tag.data()) <= 0) {
    return OpenSslError(ErrorCode::kInternal, "JWE: AES-GCM encryption failed");
  }
  return out;
}

Result<Secret> GcmDecrypt(ContentEnc enc, const Secret& cek, std::string_view iv,
                          std::string_view aad, std::string_view ciphertext, std::string tag) {
  const EVP_CIPHER* cipher = FetchedCipher(GcmCipherName(enc));
  Ossl<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  std::string plain(ciphertext.size(), '\0');
  int len = 0;
  auto u = [](std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); };
  bool ok = cipher && ctx &&
            EVP_DecryptInit_ex(ctx.get(), cipher, nullptr, u(cek.reveal()), u(iv)) > 0 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), static_cast<int>(aad.size())) > 0 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len,
                              u(ciphertext), static_cast<int>(ciphertext.size())) > 0 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) > 0 &&
            EVP_DecryptFinal_ex(ctx.get(), nullptr, &len) > 0;
  if (!ok) {
    SecureZero(plain.data(), plain.size());
    return OpenSslError(ErrorCode::kCryptoFailure,
                        "JWE: authentication failed (wrong key or tampered token)");
  }
  return Secret(std::move(plain));
}

// The CEK: unwrapped from `encrypted_key`, or derived directly.
Result<Secret> RecoverCek(KeyAlg alg, ContentEnc enc, const Secret& z, std::string_view apu,
                          std::string_view apv, std::string_view encrypted_key) {
  size_t kw = WrapKeyBytes(alg);
  if (kw == 0) {
    if (!encrypted_key.empty()) return Malformed("encrypted key must be empty for ECDH-ES");
    return internal::ConcatKdf(z.reveal(), EncKeyBytes(enc), ContentEncName(enc), apu, apv);
  }
  if (encrypted_key.size() != EncKeyBytes(enc) + 8) {
    return MakeError(ErrorCode::kCryptoFailure, "JWE: encrypted key has the wrong length");
  }
  TW_ASSIGN_OR_RETURN(Secret kek, internal::ConcatKdf(z.reveal(), kw, KeyAlgName(alg), apu, apv));
  return KeyWrap(false, kek, encrypted_key);
}

}  // namespace

std::string_view KeyAlgName(KeyAlg alg) {
  switch (alg) {
    case KeyAlg::kEcdhEs: return "ECDH-ES";
    case KeyAlg::kEcdhEsA128Kw: return "ECDH-ES+A128KW";
    case KeyAlg::kEcdhEsA192Kw: return "ECDH-ES+A192KW";
    case KeyAlg::kEcdhEsA256Kw: return "ECDH-ES+A256KW";
  }
  return "";
}

Result<KeyAlg> ParseKeyAlg(std::string_view name) {
  for (KeyAlg a : {KeyAlg::kEcdhEs, KeyAlg::kEcdhEsA128Kw, KeyAlg::kEcdhEsA192Kw, KeyAlg::kEcdhEsA256Kw}) {
    if (KeyAlgName(a) == name) return a;
  }
  return MakeError(ErrorCode::kUnsupported, "JWE alg \"" + std::string(name.substr(0, 32)) +
                                                "\" is not supported");
}

std::string_view ContentEncName(ContentEnc enc) {
  switch (enc) {
    case ContentEnc::kA128Gcm: return "A128GCM";
    case ContentEnc::kA192Gcm: return "A192GCM";
    case ContentEnc::kA256Gcm: return "A256GCM";
  }
  return "";
}

Result<ContentEnc> ParseContentEnc(std::string_view name) {
  for (ContentEnc e : {ContentEnc::kA128Gcm, ContentEnc::kA192Gcm, ContentEnc::kA256Gcm}) {
    if (ContentEncName(e) == name) return e;
  }
  return MakeError(ErrorCode::kUnsupported, "JWE enc \"" + std::string(name.substr(0, 32)) +
                                                "\" is not supported");
}

Result<JweDecrypted> DecryptCompact(std::string_view compact, const EcKey& recipient, KeyAlg alg,
                                    ContentEnc enc) {
  if (compact.size() > kMaxJoseInputBytes) {
    return MakeError(ErrorCode::kResourceExhausted, "JWE: larger than 1 MiB");
  }
  if (!recipient.has_private()) {
    return MakeError(ErrorCode::kInvalidArgument, "JWE: the recipient key has no private part");
  }
  auto parts = internal::SplitCompact(compact);
  if (parts.size() != 5) {
    return Malformed("expected 5 dot-separated parts, found " + std::to_string(parts.size()));
  }
  if (parts[0].empty()) return Malformed("empty protected header");
  auto decoded = internal::DecodeJsonObject(parts[0], "JWE protected header");
  if (!decoded.ok()) return std::move(decoded).error();
  nlohmann::json header = std::move(*decoded);

  auto str = [&](const char* k) -> std::string {
    auto it = header.find(k);
    return it != header.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (str("alg") != KeyAlgName(alg)) {
    return MakeError(ErrorCode::kUnsupported, "JWE: alg \"" + str("alg").substr(0, 32) +
                                                  "\" is not the accepted " + std::string(KeyAlgName(alg)));
  }
  if (str("enc") != ContentEncName(enc)) {
    return MakeError(ErrorCode::kUnsupported, "JWE: enc \"" + str("enc").substr(0, 32) +
                                                  "\" is not the accepted " + std::string(ContentEncName(enc)));
  }
  if (header.contains("zip")) return MakeError(ErrorCode::kUnsupported, "JWE: \"zip\" is not supported");
  if (header.contains("crit")) return MakeError(ErrorCode::kUnsupported, "JWE: unknown \"crit\" extensions");

  auto epk_it = header.find("epk");
  if (epk_it == header.end() || !epk_it->is_object()) return Malformed("missing \"epk\"");
  if (epk_it->contains("d")) return Malformed("\"epk\" carries a private key");
  // json::value() throws when "crv" is present but not a string: read it by hand.
  auto crv_it = epk_it->find("crv");
  std::string epk_crv = crv_it != epk_it->end() && crv_it->is_string() ? crv_it->get<std::string>() : "";
  if (epk_crv != CurveName(recipient.curve())) {
    return MakeError(ErrorCode::kUnsupported, "JWE: epk curve \"" + epk_crv.substr(0, 16) +
                                                  "\" is not the recipient's " +
                                                  std::string(CurveName(recipient.curve())));
  }
  auto epk = EcKey::FromJwk(*epk_it);
  if (!epk.ok()) return MakeError(ErrorCode::kCryptoFailure, "JWE: epk: " + epk.error().message);

  std::string apu, apv;
  for (auto [field, out] : {std::pair{"apu", &apu}, std::pair{"apv", &apv}}) {
    if (!header.contains(field)) continue;
    if (!header[field].is_string()) return Malformed(std::string(field) + " is not a string");
    TW_ASSIGN_OR_RETURN(*out, DecodePart(header[field].get<std::string>(), field));
  }
  TW_ASSIGN_OR_RETURN(std::string encrypted_key, DecodePart(parts[1], "encrypted key"));
  TW_ASSIGN_OR_RETURN(std::string iv, DecodePart(parts[2], "IV"));
  TW_ASSIGN_OR_RETURN(std::string ciphertext, DecodePart(parts[3], "ciphertext"));
  TW_ASSIGN_OR_RETURN(std::string tag, DecodePart(parts[4], "tag"));
  if (iv.size() != kIvBytes) return Malformed("IV must be 12 bytes");
  if (tag.size() != kTagBytes) return Malformed("authentication tag must be 16 bytes");

  TW_ASSIGN_OR_RETURN(Secret z, Agree(recipient, *epk));
  TW_ASSIGN_OR_RETURN(Secret cek, RecoverCek(alg, enc, z, apu, apv, encrypted_key));
  if (cek.size() != EncKeyBytes(enc)) {
    return MakeError(ErrorCode::kCryptoFailure, "JWE: content key has the wrong length");
  }
  TW_ASSIGN_OR_RETURN(Secret plaintext, GcmDecrypt(enc, cek, iv, parts[0], ciphertext, std::move(tag)));
  return JweDecrypted{std::move(plaintext), std::move(header)};
}

Result<std::string> EncryptCompact(std::string_view plaintext, const EcKey& recipient,
                                   const JweEncryptOptions& options) {
  if (plaintext.size() > kMaxJoseInputBytes) {
    return MakeError(ErrorCode::kResourceExhausted, "JWE: plaintext larger than 1 MiB");
  }
  TW_ASSIGN_OR_RETURN(EcKey ephemeral, EcKey::Generate(recipient.curve()));
  TW_ASSIGN_OR_RETURN(Secret z, Agree(ephemeral, recipient));

  nlohmann::json header = options.extra_header.is_object() ? options.extra_header : nlohmann::json::object();
  header["alg"] = KeyAlgName(options.alg);
  header["enc"] = ContentEncName(options.enc);
  header["epk"] = ephemeral.PublicJwk();
  if (!options.apu.empty()) header["apu"] = Base64UrlEncode(options.apu);
  if (!options.apv.empty()) header["apv"] = Base64UrlEncode(options.apv);
  std::string protected_b64 = Base64UrlEncode(header.dump());

  size_t kw = WrapKeyBytes(options.alg);
  Secret cek;
  std::string encrypted_key;
  if (kw == 0) {
    TW_ASSIGN_OR_RETURN(cek, internal::ConcatKdf(z.reveal(), EncKeyBytes(options.enc),
                                                 ContentEncName(options.enc), options.apu, options.apv));
  } else {
    std::string raw(EncKeyBytes(options.enc), '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) {
      return OpenSslError(ErrorCode::kInternal, "JWE: no randomness");
    }
    cek = Secret(std::move(raw));
    TW_ASSIGN_OR_RETURN(Secret kek, internal::ConcatKdf(z.reveal(), kw, KeyAlgName(options.alg),
                                                        options.apu, options.apv));
    TW_ASSIGN_OR_RETURN(Secret wrapped, KeyWrap(true, kek, cek.reveal()));
    encrypted_key = std::string(wrapped.reveal());
  }
  std::string iv(kIvBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(iv.data()), static_cast<int>(iv.size())) != 1) {
    return OpenSslError(ErrorCode::kInternal, "JWE: no randomness");
  }
  TW_ASSIGN_OR_RETURN(GcmOutput sealed, GcmEncrypt(options.enc, cek, iv, protected_b64, plaintext));
  return protected_b64 + "." + Base64UrlEncode(encrypted_key) + "." + Base64UrlEncode(iv) + "." +
         Base64UrlEncode(sealed.ciphertext) + "." + Base64UrlEncode(sealed.tag);
}

}  // namespace tokenwarden::jose
