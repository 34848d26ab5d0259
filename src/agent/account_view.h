// What the status page, /metrics and /v1/accounts show of one account: a
// plain snapshot, copied out of the engine, with no secret in it.
#ifndef TOKENWARDEN_AGENT_ACCOUNT_VIEW_H_
#define TOKENWARDEN_AGENT_ACCOUNT_VIEW_H_

#include <cstdint>
#include <optional>
#include <string>

#include "tokenwarden/clock.h"

namespace tokenwarden::agent {

// The bank closes a serviceCode's access after 200 days unused; we warn from
// day 180.
inline constexpr int kInactivityLimitDays = 200;
inline constexpr int kInactivityWarnDays = 180;

struct AccountView {
  std::string id;
  std::string provider;
  std::string state;  // unauthorized, authorizing, active, refreshing, backoff, needs_support
  uint64_t generation = 0;
  std::optional<TimePoint> issued_at;
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> refresh_at;
  std::optional<TimePoint> next_retry;
  int consecutive_failures = 0;
  std::string last_error_code;
  std::string last_error_message;
  std::optional<TimePoint> last_used;
  std::string support_message;  // set in needs_support: what the operator must do
  // Drop-in listener: authorizations answered from the session (each an
  // upstream authorization saved), and calls forwarded.
  uint64_t dropin_authorizations = 0;
  uint64_t dropin_forwarded = 0;

  // Whole days since last use at `now`; nullopt if never used.
  std::optional<int> DaysSinceLastUse(TimePoint now) const;
  // True from day 180 (Alliance accounts only).
  bool InactivityWarning(TimePoint now) const;
  bool Serving(TimePoint now) const { return expires_at && *expires_at > now; }
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_ACCOUNT_VIEW_H_
