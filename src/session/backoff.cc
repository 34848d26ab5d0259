#include "session/backoff.h"

#include <algorithm>

namespace tokenwarden::session {

Duration BackoffDelay(int failures, Duration initial, Duration max, Duration retry_after,
                      JitterRng& rng) {
  Duration ceiling = initial;
  for (int i = 1; i < failures && ceiling < max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, max);
  std::uniform_int_distribution<Duration::rep> pick(0, ceiling.count());
  Duration delay(pick(rng));
  return std::max(delay, std::min(retry_after, kMaxRetryAfter));
}

}  // namespace tokenwarden::session
