#include "util/clock_flags.h"

namespace tokenwarden {

Result<std::shared_ptr<Clock>> ClockFromFlags(double scale, long long origin_unix) {
  if (scale == 1.0 && origin_unix == 0) return MakeRealClock();
  if (!(scale > 0)) return MakeError(ErrorCode::kInvalidArgument, "--time-scale must be positive");
  TimePoint origin = origin_unix != 0 ? FromUnixSeconds(origin_unix) : std::chrono::system_clock::now();
  return MakeScaledClock(origin, scale);
}

}  // namespace tokenwarden
