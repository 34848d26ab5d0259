// Verdicts every provider builds: from parts, for a failed exchange (no
// answer at all), and as a failed AuthorizeResult.
#ifndef TOKENWARDEN_PROVIDERS_VERDICTS_H_
#define TOKENWARDEN_PROVIDERS_VERDICTS_H_

#include <string>

#include "tokenwarden/provider.h"
#include "tokenwarden/result.h"

namespace tokenwarden::providers {

Verdict MakeVerdict(Action action, std::string code, std::string message);

// An authorization that produced no session.
AuthorizeResult AuthorizeFailed(Verdict verdict);
// The same with kRetryLater.
AuthorizeResult AuthorizeFailed(std::string code, std::string message);

// An HTTP client error as a verdict. Timeouts, refused or reset connections,
// oversized or malformed answers and TLS failures are kRetryLater (codes
// "timeout", "unavailable", "too_large", "tls", "transport"): the session in
// hand stays valid and the next attempt may succeed; a certificate that does
// not verify is also surfaced in the message for the operator. A URL the
// client refuses (kInvalidArgument, kPermissionDenied) is kFatal
// ("bad_url"): configuration, not weather.
Verdict VerdictForTransportError(const Error& error);

// True when another base URL may do better: this one was not reached in
// time (refused, reset, unreachable, timed out). A 5xx answer is judged by
// its status, not here.
bool IsFailoverError(const Error& error);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_VERDICTS_H_
