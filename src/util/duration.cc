#include "util/duration.h"

#include <chrono>

namespace tokenwarden {
namespace {

Error BadDuration(std::string_view text, std::string_view why) {
  return MakeError(ErrorCode::kInvalidArgument,
                   "duration \"" + std::string(text.substr(0, 64)) + "\": " + std::string(why) +
                       " (examples: 12h, 30m, 1h30m, 90s, 500ms)");
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  using std::chrono::milliseconds;
  if (text.empty()) return BadDuration(text, "empty");
  Duration total{};
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    long long n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > 1'000'000'000) return BadDuration(text, "too large");
      n = n * 10 + (text[i++] - '0');
    }
    if (i == start) return BadDuration(text, "expected a number");
    size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit == "d") {
      total += std::chrono::hours(24 * n);
    } else if (unit == "h") {
      total += std::chrono::hours(n);
    } else if (unit == "m") {
      total += std::chrono::minutes(n);
    } else if (unit == "s") {
      total += std::chrono::seconds(n);
    } else if (unit == "ms") {
      total += milliseconds(n);
    } else {
      return BadDuration(text, unit.empty() ? "a unit is missing" : "unknown unit");
    }
  }
  return total;
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
