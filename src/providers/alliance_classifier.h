// The Alliance Bank's answers judged by the msgCode table of PROTOCOLS.md
// section 1 and the HTTP status. Pure: no I/O, no state.
#ifndef TOKENWARDEN_PROVIDERS_ALLIANCE_CLASSIFIER_H_
#define TOKENWARDEN_PROVIDERS_ALLIANCE_CLASSIFIER_H_

#include "tokenwarden/clock.h"
#include "tokenwarden/provider.h"

namespace tokenwarden::providers {

// For an answer to an authorized API call; a known msgCode decides before
// the status does:
//   b_auth_token_expired (any status, before the 401 rule)      kNeedsSupport
//   b_expired_token, b_session_doesnt_exist(s), b_used_token,
//   b_previous_auth_token_expired, b_unknown_device,
//   b_virtual_device_not_found                                  kReauthorize
//   b_refresh_token_absent  kReauthorize, the message calling it a client bug
//   b_server_is_overloaded, b_overload_error                    kRetryLater
//   any other 401                                  kReauthorize ("http_401")
//   429, 503 and other 5xx                                      kRetryLater
//   (every kRetryLater carries retry_after from Retry-After, if any)
//   2xx without an error msgCode                                kOk
//   anything else                                               kPassThrough
// msgCodes are matched case-insensitively; Verdict::code is the msgCode as
// sent, or "http_<status>". `now` reads an HTTP-date Retry-After.
Verdict ClassifyAllianceAnswer(const UpstreamResponse& response, TimePoint now);

// For a plain answer where the authorization's JWE was expected: judged as
// above, then tightened for the authorize step. A session-rejection code
// becomes kRetryLater (re-authorizing is what just failed; the engine backs
// off instead of looping), and any other 4xx (an unknown serviceCode, a
// malformed request) is kFatal.
Verdict ClassifyAllianceAuthorizeFailure(const UpstreamResponse& response,
                                         TimePoint now);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_ALLIANCE_CLASSIFIER_H_
