// JWE compact serialization (RFC 7516) with ECDH-ES key agreement (RFC 7518
// section 4.6) and AES-GCM content encryption. Every primitive is OpenSSL's;
// this file composes them (Concat KDF, key wrap, GCM with the header as AAD).
#ifndef TOKENWARDEN_JOSE_JWE_H_
#define TOKENWARDEN_JOSE_JWE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "jose/jwk.h"
#include "tokenwarden/result.h"
#include "tokenwarden/secret.h"

namespace tokenwarden::jose {

enum class KeyAlg { kEcdhEs, kEcdhEsA128Kw, kEcdhEsA192Kw, kEcdhEsA256Kw };
enum class ContentEnc { kA128Gcm, kA192Gcm, kA256Gcm };

std::string_view KeyAlgName(KeyAlg alg);   // "ECDH-ES+A256KW", ...
Result<KeyAlg> ParseKeyAlg(std::string_view name);
std::string_view ContentEncName(ContentEnc enc);  // "A256GCM", ...
Result<ContentEnc> ParseContentEnc(std::string_view name);

// Inputs longer than this are refused before any parsing.
inline constexpr size_t kMaxJoseInputBytes = 1 << 20;

struct JweDecrypted {
  Secret plaintext;
  nlohmann::json protected_header;
};

// Decrypts a compact JWE to `recipient`. The token's alg and enc must equal
// the ones given (anything else, "none" included, is rejected); the epk must
// be a valid point on the recipient's curve; apu/apv are honoured.
// REQUIRES: recipient.has_private().
Result<JweDecrypted> DecryptCompact(std::string_view compact, const EcKey& recipient,
                                    KeyAlg alg = KeyAlg::kEcdhEsA256Kw,
                                    ContentEnc enc = ContentEnc::kA256Gcm);

struct JweEncryptOptions {
  KeyAlg alg = KeyAlg::kEcdhEsA256Kw;
  ContentEnc enc = ContentEnc::kA256Gcm;
  std::string apu;  // raw bytes; omitted from the header when empty
  std::string apv;  // raw bytes; omitted from the header when empty
  // Extra protected-header members (kid, cty, ...); alg/enc/epk are ours.
  nlohmann::json extra_header = nlohmann::json::object();
};

// Encrypts to `recipient` (public key suffices) with a fresh ephemeral key,
// CEK and IV.
Result<std::string> EncryptCompact(std::string_view plaintext, const EcKey& recipient,
                                   const JweEncryptOptions& options = {});

}  // namespace tokenwarden::jose

#endif  // TOKENWARDEN_JOSE_JWE_H_
