// The timestamp shapes the upstreams use, parsed to UTC instants, and
// formatting back in UTC and in Kyiv time.
//
// Kyiv time is UTC+02:00 in winter and UTC+03:00 in summer, switching with the
// EU rule (last Sunday of March and of October, 01:00 UTC), which Ukraine has
// followed since 1997; earlier instants use the same rule.
#ifndef TOKENWARDEN_UTIL_TIME_FORMAT_H_
#define TOKENWARDEN_UTIL_TIME_FORMAT_H_

#include <string>
#include <string_view>

#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

namespace tokenwarden {

// Times read from outside, in Unix seconds. An upstream timestamp names an
// instant from 1900-01-01 to 2200-01-01 UTC; stored records and clock flags
// end at 2200-01-01 too, so whatever a timestamp said is read back after a
// restart. A TimePoint counts nanoseconds and ends in 2262; this leaves room
// for the spans added to it.
inline constexpr long long kEarliestUnixSeconds = -2208988800;
inline constexpr long long kLatestUnixSeconds = 7258118400;

// Accepts, with 0 to 9 fractional digits:
//   2025-02-27 12:12:34.0430 +0000   (space before the offset)
//   2025-02-27 14:12:34.430+02:00
//   2025.11.13 17:16:04.227          (no zone: Kyiv local time)
//   2025-02-27T12:12:34Z, 2025-02-27T14:12:34.5+02:00, ...
// Offsets: Z, +HHMM, +HH:MM (also -). A zone-less time in the hour that the
// spring change skips is read as winter time; one in the repeated autumn hour
// as its first (summer) occurrence. Instants outside kEarliestUnixSeconds..
// kLatestUnixSeconds are refused, so whatever is read formats in UTC and in
// Kyiv time to text that reads back.
// Anything else is an error naming the input.
Result<TimePoint> ParseTimestamp(std::string_view text);

// Kyiv's offset from UTC at instant t, in seconds (7200 or 10800).
int KyivOffsetSeconds(TimePoint t);

// "2025-02-27T12:12:34Z" (milliseconds shown only when non-zero: ".043Z").
std::string FormatUtcIso(TimePoint t);
// "2025-02-27T14:12:34+02:00" (milliseconds only when non-zero).
std::string FormatKyivIso(TimePoint t);

// The bank's shapes, as its answers carry them:
// "2025-02-27 12:12:34.0430 +0000" (4 fractional digits)
std::string FormatBankUtc(TimePoint t);
// "2025-02-27 14:12:34.430+02:00" (3 fractional digits, Kyiv offset)
std::string FormatBankKyiv(TimePoint t);
// "2024-10-23 11:55:36.41+03:00" (2 fractional digits, Kyiv offset): the
// shape of an HPP order's createDate and expiredOrderDate.
std::string FormatBankOrderKyiv(TimePoint t);
// "2024.09.19 15:29:25.675" (Kyiv local time, no zone, 3 fractional
// digits): the shape of an operation's createDateTime when read by its id.
std::string FormatBankLocalKyiv(TimePoint t);
// "2023-04-11T10:42:05.543380Z" (UTC, 6 fractional digits): the shape of
// Nova Post's shipment and tracking dates.
std::string FormatNovaPostUtc(TimePoint t);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_TIME_FORMAT_H_
