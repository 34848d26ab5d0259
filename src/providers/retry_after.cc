#include "providers/retry_after.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string>

#include "util/ascii.h"

namespace tokenwarden::providers {
namespace {

Duration Clamp(Duration d) {
  return std::clamp(d, Duration::zero(), kMaxRetryAfter);
}

}  // namespace

Duration ParseRetryAfter(std::string_view value, TimePoint now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return Duration::zero();
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    long long seconds = 0;
    auto [p, err] =
        std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (err == std::errc::result_out_of_range) return kMaxRetryAfter;
    if (err != std::errc() || p != value.data() + value.size())
      return Duration::zero();
    return Clamp(std::chrono::seconds(std::min<long long>(seconds, 24 * 3600)));
  }
  std::tm tm{};
  std::string text(value);
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return Duration::zero();
  // In whole seconds: a date far off (the year 9999) does not fit a
  // TimePoint, which counts nanoseconds.
  long long wait = static_cast<long long>(::timegm(&tm)) - ToUnixSeconds(now);
  long long longest = std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryAfter).count();
  return Clamp(std::chrono::seconds(std::clamp(wait, 0LL, longest)));
}

std::optional<std::string_view> FindHeader(const UpstreamResponse& response,
                                           std::string_view name) {
  for (const auto& [k, v] : response.headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

Duration RetryAfterOf(const UpstreamResponse& response, TimePoint now) {
  auto value = FindHeader(response, "retry-after");
  return value ? ParseRetryAfter(*value, now) : Duration::zero();
}

}  // namespace tokenwarden::providers
