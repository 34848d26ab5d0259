// The --time-scale / --time-origin flags the emulator and the agent share:
// two processes given the same values agree on the simulated time.
#ifndef TOKENWARDEN_UTIL_CLOCK_FLAGS_H_
#define TOKENWARDEN_UTIL_CLOCK_FLAGS_H_

#include <memory>

#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

namespace tokenwarden {

inline constexpr double kLargestTimeScale = 10000;  // a real day is 27 simulated years

// The real clock for scale 1 and origin 0; otherwise a scaled clock from
// `origin_unix` (0: now). Fails, naming the flag and the value, for a scale
// that is not positive or above kLargestTimeScale, and for an origin outside
// 0..kLatestUnixSeconds (util/time_format.h).
Result<std::shared_ptr<Clock>> ClockFromFlags(double scale, long long origin_unix);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_CLOCK_FLAGS_H_
