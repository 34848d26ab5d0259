#include "util/clock_flags.h"

#include <string>

#include "util/time_format.h"

namespace tokenwarden {

Result<std::shared_ptr<Clock>> ClockFromFlags(double scale, long long origin_unix) {
  if (scale == 1.0 && origin_unix == 0) return MakeRealClock();
  if (!(scale > 0)) return MakeError(ErrorCode::kInvalidArgument, "--time-scale must be positive");
  // A TimePoint counts nanoseconds and ends in 2262: a scaled clock must
  // start well inside, and a day of running must not take it past the end.
  if (scale > kLargestTimeScale) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--time-scale " + std::to_string(scale) + " is too large (at most 10000)");
  }
  if (origin_unix < 0 || origin_unix > kLatestUnixSeconds) {
    return MakeError(ErrorCode::kInvalidArgument, "--time-origin " + std::to_string(origin_unix) +
                                                      " is out of range (Unix seconds from 0 to " +
                                                      std::to_string(kLatestUnixSeconds) + ", which is 2200-01-01)");
  }
  TimePoint origin = origin_unix != 0 ? FromUnixSeconds(origin_unix) : std::chrono::system_clock::now();
  return MakeScaledClock(origin, scale);
}

}  // namespace tokenwarden
