// The Alliance Bank's answer to authorize_virtual_device turned into a
// Session: find the JWE, decrypt it with the merchant's key, read the
// session's fields and expiry.
#ifndef TOKENWARDEN_PROVIDERS_ALLIANCE_ANSWER_H_
#define TOKENWARDEN_PROVIDERS_ALLIANCE_ANSWER_H_

#include <string>
#include <string_view>

#include "jose/jwk.h"
#include "tokenwarden/provider.h"

namespace tokenwarden::providers {

// The field of upstream_state that carries our own warning (an assumed or
// disputed expiry), beside the bank's fields.
inline constexpr const char* kWarningField = "tokenwardenWarning";

// Judges a whole answer to the authorize call (any status):
// - the JWE is read from {"jwe": ...}, {"data": ...} or a bare compact body;
// - a plain error where the JWE was expected goes to
//   ClassifyAllianceAuthorizeFailure (same codes as API calls);
// - a body that is neither (truncated, not JSON) is kRetryLater
//   "malformed_answer";
// - a JWE that does not decrypt with `key` (ECDH-ES+A256KW / A256GCM pinned)
//   or whose payload is not a JSON object is kRetryLater "bad_jwe": a
//   corrupted answer is worth another try, and the message points at the
//   registered key should it persist;
// - a payload without deviceId or refreshToken is kRetryLater
//   "incomplete_answer".
// On success the session has provider "alliance", issued_at, expires_at
// (ReadAllianceExpiry), headers x-api_version, x-device_id,
// x-refresh_token, and upstream_state = the decrypted payload with every
// field (plus kWarningField when the expiry was assumed); a warning is also
// in verdict.code "expiry_warning" and verdict.message.
AuthorizeResult DecodeAllianceAuthorization(const UpstreamResponse& response,
                                            const jose::EcKey& key,
                                            const std::string& api_version,
                                            TimePoint issued_at, TimePoint now);

// The steps of DecodeAllianceAuthorization after decryption: the session
// from the decrypted payload (a JSON object with deviceId and
// refreshToken), or the verdict "bad_jwe" / "incomplete_answer". Apart so
// that the fuzzer reaches it without a key to encrypt with.
AuthorizeResult AllianceSessionFromPayload(std::string_view plaintext,
                                           const std::string& api_version,
                                           TimePoint issued_at);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_ALLIANCE_ANSWER_H_
