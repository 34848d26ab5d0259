// The refresh schedule of one account: when its next authorization is due,
// how long to sleep until then, when to authorize without the fleet's lease.
// Pure functions of (state, now), so that every decision can be tested on a
// manual clock without an executor; the TokenManager acts on their answers.
#ifndef TOKENWARDEN_SESSION_SCHEDULE_H_
#define TOKENWARDEN_SESSION_SCHEDULE_H_

#include <span>
#include <string>
#include <vector>

#include "tokenwarden/clock.h"
#include "tokenwarden/session.h"
#include "tokenwarden/token_manager.h"

namespace tokenwarden::session {

// What the schedule looks at: a view of one manager's strand-only state,
// built for each decision and not kept (it holds no copy of its own).
struct ScheduleState {
  const Session* session = nullptr;  // the newest, even if rejected or expired
  bool current_rejected = false;     // `session` was proven rejected upstream
  bool reauth_requested = false;     // an invalidation asked for a new one
  bool operator_requested = false;   // an operator asked for one now
  bool needs_support = false;        // only an operator may authorize
  bool failed = false;               // likewise (a configuration error)
  TimePoint backoff_until{};         // no automatic attempt before this
  int max_live_sessions = 0;         // 0: no limit
  std::span<const TimePoint> earlier_expiries;  // our earlier tokens' expiries
};

// Whether `s.session` exists and has not expired at `now`.
bool Valid(const ScheduleState& s, TimePoint now);
// Whether the session may be handed out: valid and not rejected.
bool Serving(const ScheduleState& s, TimePoint now);

// When the next authorization should start: `now` or earlier means at once;
// TimePoint::max() means only on an operator's call. A valid session is due
// at its refresh_at, or at SoloAt when that comes first (a plan that lies
// at or past expiry, as a record restored from the store may carry), so
// that it is refreshed before it runs out.
TimePoint DueAt(const ScheduleState& s, TimePoint now);

// Whether an attempt at `now` should authorize (DueAt(s, now) <= now).
bool NeedsAuthorization(const ScheduleState& s, TimePoint now);

// When our tokens still alive upstream die, earliest first, each counted
// kLiveMargin past its expiry: our expiry is our send time plus the
// lifetime, the upstream's is its receive time plus the lifetime. The
// current session counts unless it was rejected.
std::vector<TimePoint> LiveExpiries(const ScheduleState& s, TimePoint now);

// Why an authorization at `now` happens, for the log: "operator",
// "invalidated", "first", "expired" or "scheduled".
std::string AuthorizeReason(const ScheduleState& s, TimePoint now);

// The real time to sleep from `now` until `due`, read from `clock`: at most
// an hour (a clock jump the alarm queue's watch does not see, such as NTP's
// slew, stays small against refresh windows of hours), and a 20 ms poll
// when the clock cannot tell real time (a ManualClock) or `due` has passed.
Duration SleepFor(TimePoint due, TimePoint now, const Clock& clock);

// Shortly before `session` would expire (5 min, or a tenth of a short
// lifetime): the latest its refresh is due, and, with the store
// unreachable, when an agent stops waiting for the lease and authorizes on
// its own.
TimePoint SoloAt(const Session& session);

// The store refused the lease at `now`: true to authorize without it
// (nothing to serve, or the session is about to run out), false to keep
// serving and try the store again no later than SoloAt.
bool AuthorizeSolo(const ScheduleState& s, TimePoint now);

// The state to show while an authorization of ours runs.
AccountState AuthorizingState(const ScheduleState& s, TimePoint now);
// The state to show while another holder of the lease authorizes.
AccountState FollowingState(const ScheduleState& s, TimePoint now);
// The state to show while waiting for `due` with nothing under way: an
// account that cannot serve no longer says it is active or authorizing.
AccountState WaitingState(AccountState state, bool serving);

// The refresh time of a new session, from the provider's `planned` one: a
// plan in the past or at or past expiry (a very short-lived token) becomes
// halfway between `now` and `expires_at`.
TimePoint RefreshAtOrHalfway(TimePoint planned, TimePoint now, TimePoint expires_at);

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_SCHEDULE_H_
