#include "providers/refresh_plan.h"

#include <algorithm>
#include <cstdint>

namespace tokenwarden::providers {
namespace {

// FNV-1a: stable across processes and builds, unlike std::hash.
std::uint64_t StableHash(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

TimePoint SpreadRefresh(std::string_view account, TimePoint issued_at,
                        TimePoint latest) {
  const Duration::rep period = (latest - issued_at).count();
  if (period <= 0) return latest;
  const auto phase = static_cast<Duration::rep>(
      StableHash(account) % static_cast<std::uint64_t>(period));
  // How far `latest` is past this account's last grid point.
  Duration::rep behind = (latest.time_since_epoch().count() - phase) % period;
  if (behind < 0) behind += period;
  if (period - behind <= period / 64) return latest;
  // Far from the grid: a third of the way there, so that accounts
  // authorized together part at once rather than meet at P/3 early.
  return latest - Duration(behind <= period / 3 ? behind : behind / 3);
}

}  // namespace tokenwarden::providers
