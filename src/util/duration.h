// Durations written for humans in configuration: "12h", "30m", "90s",
// "1h30m", "500ms", "1d".
#ifndef TOKENWARDEN_UTIL_DURATION_H_
#define TOKENWARDEN_UTIL_DURATION_H_

#include <string>
#include <string_view>

#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

namespace tokenwarden {

// The longest span of time read from outside (configuration, control
// APIs): 100 years. A Duration counts nanoseconds and overflows after 292.
inline constexpr long long kLongestSpanSeconds = 36500LL * 24 * 3600;

// One or more <integer><unit> terms, units d, h, m, s, ms; no sign, no
// spaces; at most kLongestSpanSeconds. Errors name the input.
Result<Duration> ParseDuration(std::string_view text);

// The shortest form ParseDuration reads back: "12h", "1h30m", "250ms", "0s".
std::string FormatDuration(Duration d);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_DURATION_H_
