// Retry-After (RFC 9110 section 10.2.3): how long an upstream asks us to wait.
#ifndef TOKENWARDEN_PROVIDERS_RETRY_AFTER_H_
#define TOKENWARDEN_PROVIDERS_RETRY_AFTER_H_

#include <optional>
#include <string_view>

#include "tokenwarden/clock.h"
#include "tokenwarden/provider.h"

namespace tokenwarden::providers {

// The longest wait we honour; a larger value is taken as this.
inline constexpr Duration kMaxRetryAfter = std::chrono::hours(1);

// delay-seconds ("120") or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT")
// relative to `now`. Zero when absent, malformed or in the past.
Duration ParseRetryAfter(std::string_view value, TimePoint now);

// The first header of that (case-insensitive) name in an answer.
std::optional<std::string_view> FindHeader(const UpstreamResponse& response,
                                           std::string_view name);

// ParseRetryAfter of the answer's Retry-After header, or zero.
Duration RetryAfterOf(const UpstreamResponse& response, TimePoint now);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_RETRY_AFTER_H_
