// Nova Post's answers judged by status (PROTOCOLS.md section 2). Pure.
#ifndef TOKENWARDEN_PROVIDERS_NOVAPOST_CLASSIFIER_H_
#define TOKENWARDEN_PROVIDERS_NOVAPOST_CLASSIFIER_H_

#include "tokenwarden/clock.h"
#include "tokenwarden/provider.h"

namespace tokenwarden::providers {

// Which call the answer is to: the token call and API calls differ on 401
// and 422.
enum class NovaPostCall { kAuthorize, kApi };

//                     kAuthorize                       kApi
//   2xx               kOk                               kOk
//   401               kFatal ("unknown API key")        kReauthorize
//   422               kFatal (configuration error)      kPassThrough (the
//                                                       application's request)
//   429, 503, 5xx     kRetryLater (Retry-After honoured) kRetryLater
//   other             kFatal                            kPassThrough
// Verdict::code is "http_<status>", empty for a 2xx (the common case, kept
// free of work).
Verdict ClassifyNovaPostAnswer(const UpstreamResponse& response,
                               NovaPostCall call, TimePoint now);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_NOVAPOST_CLASSIFIER_H_
