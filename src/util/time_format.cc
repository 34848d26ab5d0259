#include "util/time_format.h"

#include <cstdio>
#include <optional>
#include <string>

#include "util/utf8.h"

namespace tokenwarden {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::sys_days;

constexpr int kKyivWinter = 2 * 3600;
constexpr int kKyivSummer = 3 * 3600;

// The EU switch instants of a year: last Sunday of March and of October,
// 01:00 UTC.
TimePoint SwitchInstant(int year, std::chrono::month month) {
  sys_days day{std::chrono::year_month_weekday_last{
      std::chrono::year{year}, month, std::chrono::weekday_last{std::chrono::Sunday}}};
  return TimePoint(day) + hours(1);
}

Error BadTimestamp(std::string_view text, std::string_view why) {
  // The message may go into JSON (a session's stored state).
  std::string shown(Utf8Prefix(text, 64));
  if (text.size() > shown.size()) shown += "...";
  return MakeError(ErrorCode::kInvalidArgument,
                   "timestamp \"" + shown + "\": " + std::string(why));
}

constexpr int UtcYear(long long unix_seconds) {
  return static_cast<int>(std::chrono::year_month_day{
      std::chrono::floor<days>(std::chrono::sys_seconds{seconds{unix_seconds}})}.year());
}

// The years a timestamp may write: one before the first instant in range
// (with a negative offset it can still name one) through the last.
constexpr int kFirstYear = UtcYear(kEarliestUnixSeconds) - 1;
constexpr int kLastYear = UtcYear(kLatestUnixSeconds);

Result<TimePoint> InRange(std::string_view text, TimePoint t) {
  constexpr TimePoint earliest{seconds(kEarliestUnixSeconds)};
  constexpr TimePoint latest{seconds(kLatestUnixSeconds)};
  if (t < earliest || t > latest) {
    return BadTimestamp(text, "outside " + FormatUtcIso(earliest) + ".." + FormatUtcIso(latest));
  }
  return t;
}

// A strict left-to-right reader over the timestamp text.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  bool Take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  // Exactly n decimal digits.
  std::optional<int> Digits(size_t n) {
    if (s_.size() - pos_ < n) return std::nullopt;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = s_[pos_ + i];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    pos_ += n;
    return v;
  }
  // Up to 9 digits after a '.', as nanoseconds; nullopt if the dot has none.
  std::optional<long> Fraction(bool& too_many) {
    long ns = 0;
    int count = 0;
    while (!done() && peek() >= '0' && peek() <= '9') {
      if (count == 9) {
        too_many = true;
        return std::nullopt;
      }
      ns = ns * 10 + (s_[pos_++] - '0');
      ++count;
    }
    if (count == 0) return std::nullopt;
    for (int i = count; i < 9; ++i) ns *= 10;
    return ns;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

struct Civil {
  int year, month, day, hour, minute, second;
  long nanos;
};

std::string Format(TimePoint t, int offset_seconds, int frac_digits, bool date_time_t,
                   std::string_view zone) {
  auto local = t + seconds(offset_seconds);
  auto day = std::chrono::floor<days>(local);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss<nanoseconds> hms{
      std::chrono::floor<nanoseconds>(local - day)};
  char buf[80];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02d:%02d:%02d",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), date_time_t ? 'T' : ' ',
                        static_cast<int>(hms.hours().count()),
                        static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  std::string out(buf, static_cast<size_t>(n));
  long nanos = static_cast<long>(hms.subseconds().count());
  if (frac_digits < 0) {  // milliseconds, only when non-zero
    if (nanos / 1000000 != 0) {
      std::snprintf(buf, sizeof buf, ".%03ld", nanos / 1000000);
      out += buf;
    }
  } else if (frac_digits > 0) {
    long div = 1;
    for (int i = frac_digits; i < 9; ++i) div *= 10;
    std::snprintf(buf, sizeof buf, ".%0*ld", frac_digits, nanos / div);
    out += buf;
  }
  out += zone;
  return out;
}

std::string OffsetText(int offset_seconds, bool colon) {
  char buf[16];
  int h = offset_seconds / 3600, m = (offset_seconds % 3600) / 60;
  std::snprintf(buf, sizeof buf, colon ? "%c%02d:%02d" : "%c%02d%02d",
                offset_seconds < 0 ? '-' : '+', h < 0 ? -h : h, m < 0 ? -m : m);
  return buf;
}

// Reads a zone-less Kyiv wall-clock time as an instant.
TimePoint FromKyivLocal(TimePoint as_if_utc) {
  TimePoint summer = as_if_utc - seconds(kKyivSummer);
  if (KyivOffsetSeconds(summer) == kKyivSummer) return summer;  // first of a repeat
  return as_if_utc - seconds(kKyivWinter);  // winter, or the skipped spring hour
}

}  // namespace

int KyivOffsetSeconds(TimePoint t) {
  int year = static_cast<int>(
      std::chrono::year_month_day{std::chrono::floor<days>(t)}.year());
  bool summer = t >= SwitchInstant(year, std::chrono::March) &&
                t < SwitchInstant(year, std::chrono::October);
  return summer ? kKyivSummer : kKyivWinter;
}

Result<TimePoint> ParseTimestamp(std::string_view text) {
  Scanner in(text);
  Civil c{};
  auto year = in.Digits(4);
  if (!year) return BadTimestamp(text, "expected a 4-digit year");
  char date_sep = in.peek();
  if (date_sep != '-' && date_sep != '.') return BadTimestamp(text, "expected '-' or '.' after the year");
  in.Take(date_sep);
  auto month = in.Digits(2);
  if (!month || !in.Take(date_sep)) return BadTimestamp(text, "expected a 2-digit month");
  auto day = in.Digits(2);
  if (!day) return BadTimestamp(text, "expected a 2-digit day");
  if (!in.Take(' ') && !in.Take('T')) return BadTimestamp(text, "expected ' ' or 'T' after the date");
  auto hour = in.Digits(2);
  if (!hour || !in.Take(':')) return BadTimestamp(text, "expected HH:MM:SS");
  auto minute = in.Digits(2);
  if (!minute || !in.Take(':')) return BadTimestamp(text, "expected HH:MM:SS");
  auto second = in.Digits(2);
  if (!second) return BadTimestamp(text, "expected HH:MM:SS");
  c = Civil{*year, *month, *day, *hour, *minute, *second, 0};
  if (in.Take('.')) {
    bool too_many = false;
    auto frac = in.Fraction(too_many);
    if (!frac) {
      return BadTimestamp(text, too_many ? "more than 9 fractional digits"
                                         : "expected digits after '.'");
    }
    c.nanos = *frac;
  }

  std::chrono::year_month_day ymd{std::chrono::year{c.year},
                                  std::chrono::month{static_cast<unsigned>(c.month)},
                                  std::chrono::day{static_cast<unsigned>(c.day)}};
  if (!ymd.ok()) return BadTimestamp(text, "no such date");
  // system_clock counts nanoseconds in 64 bits: 1677..2262. No other year
  // can name an instant in range, whatever the offset; refusing them first
  // keeps the arithmetic below inside a TimePoint.
  if (c.year < kFirstYear || c.year > kLastYear) {
    return BadTimestamp(text, "year outside " + std::to_string(kFirstYear) + ".." + std::to_string(kLastYear));
  }
  if (c.hour > 23 || c.minute > 59 || c.second > 59) {
    return BadTimestamp(text, "time of day out of range");
  }
  TimePoint as_if_utc = TimePoint(sys_days{ymd}) + hours(c.hour) + minutes(c.minute) +
                        seconds(c.second) +
                        std::chrono::duration_cast<Duration>(nanoseconds(c.nanos));

  if (in.done()) return InRange(text, FromKyivLocal(as_if_utc));
  in.Take(' ');  // the bank writes "... .0430 +0000"
  if (in.Take('Z')) {
    if (!in.done()) return BadTimestamp(text, "unexpected text after 'Z'");
    return InRange(text, as_if_utc);
  }
  char sign = in.peek();
  if (sign != '+' && sign != '-') return BadTimestamp(text, "expected Z, +HHMM or +HH:MM");
  in.Take(sign);
  auto oh = in.Digits(2);
  if (!oh) return BadTimestamp(text, "expected a 2-digit offset hour");
  in.Take(':');
  auto om = in.Digits(2);
  if (!om) return BadTimestamp(text, "expected 2-digit offset minutes");
  if (!in.done()) return BadTimestamp(text, "unexpected text after the offset");
  if (*oh > 14 || *om > 59) return BadTimestamp(text, "offset out of range");
  auto offset = hours(*oh) + minutes(*om);
  return InRange(text, sign == '+' ? as_if_utc - offset : as_if_utc + offset);
}

std::string FormatUtcIso(TimePoint t) { return Format(t, 0, -1, true, "Z"); }

std::string FormatKyivIso(TimePoint t) {
  int offset = KyivOffsetSeconds(t);
  return Format(t, offset, -1, true, OffsetText(offset, true));
}

std::string FormatBankUtc(TimePoint t) { return Format(t, 0, 4, false, " +0000"); }

std::string FormatBankKyiv(TimePoint t) {
  int offset = KyivOffsetSeconds(t);
  return Format(t, offset, 3, false, OffsetText(offset, true));
}

std::string FormatBankOrderKyiv(TimePoint t) {
  int offset = KyivOffsetSeconds(t);
  return Format(t, offset, 2, false, OffsetText(offset, true));
}

std::string FormatBankLocalKyiv(TimePoint t) {
  std::string out = Format(t, KyivOffsetSeconds(t), 3, false, "");
  out[4] = out[7] = '.';  // the year has four digits in the range ParseTimestamp reads
  return out;
}

std::string FormatNovaPostUtc(TimePoint t) { return Format(t, 0, 6, true, "Z"); }

}  // namespace tokenwarden
