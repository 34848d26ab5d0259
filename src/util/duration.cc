#include "util/duration.h"

#include <chrono>

#include "util/utf8.h"

namespace tokenwarden {
namespace {

Error BadDuration(std::string_view text, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "duration \"" + std::string(Utf8Prefix(text, 64)) + "\": " + std::string(why) +
                       " (examples: 12h, 30m, 1h30m, 90s, 500ms)");
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return BadDuration(text, "empty");
  // Summed in milliseconds, each term checked before it is added.
  constexpr long long kLongestMs = kLongestSpanSeconds * 1000;
  long long total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    long long n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > 1'000'000'000) return BadDuration(text, "too large (at most 36500d)");
      n = n * 10 + (text[i++] - '0');
    }
    if (i == start) return BadDuration(text, "expected a number");
    size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    long long unit_ms = 0;
    if (unit == "d") {
      unit_ms = 86'400'000;
    } else if (unit == "h") {
      unit_ms = 3'600'000;
    } else if (unit == "m") {
      unit_ms = 60'000;
    } else if (unit == "s") {
      unit_ms = 1'000;
    } else if (unit == "ms") {
      unit_ms = 1;
    } else {
      return BadDuration(text, unit.empty() ? "a unit is missing" : "unknown unit");
    }
    if (n > (kLongestMs - total_ms) / unit_ms) return BadDuration(text, "too large (at most 36500d)");
    total_ms += n * unit_ms;
  }
  return std::chrono::duration_cast<Duration>(std::chrono::milliseconds(total_ms));
}

std::string FormatDuration(Duration d) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(d).count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  const std::pair<long long, const char*> units[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1'000, "s"}, {1, "ms"}};
  for (auto [size, name] : units) {
    if (ms >= size) {
      out += std::to_string(ms / size) + name;
      ms %= size;
    }
  }
  return out;
}

}  // namespace tokenwarden
