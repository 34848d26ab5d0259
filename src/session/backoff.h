// Exponential backoff with full jitter (the AWS architecture blog's "full
// jitter"): retries of many clients spread out instead of arriving together.
#ifndef TOKENWARDEN_SESSION_BACKOFF_H_
#define TOKENWARDEN_SESSION_BACKOFF_H_

#include <random>

#include "tokenwarden/jitter_rng.h"

#include "tokenwarden/clock.h"

namespace tokenwarden::session {

inline constexpr Duration kMaxRetryAfter = std::chrono::hours(1);

// The wait after the `failures`-th consecutive failure: uniform in
// [0, min(max, initial * 2^(failures-1))], but never less than
// `retry_after` (the upstream's Retry-After, zero when it gave none), which
// may exceed `max` but is capped at kMaxRetryAfter against absurd values.
// REQUIRES: failures >= 1, 0 < initial <= max.
Duration BackoffDelay(int failures, Duration initial, Duration max, Duration retry_after,
                      JitterRng& rng);

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_BACKOFF_H_
