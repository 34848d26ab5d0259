#include "session/schedule.h"

#include <algorithm>

namespace tokenwarden::session {

bool Valid(const ScheduleState& s, TimePoint now) { return s.session && now < s.session->expires_at; }

bool Serving(const ScheduleState& s, TimePoint now) { return Valid(s, now) && !s.current_rejected; }

TimePoint DueAt(const ScheduleState& s, TimePoint now) {
  if ((s.needs_support || s.failed) && !s.operator_requested) return TimePoint::max();
  TimePoint due;
  if (s.operator_requested || s.reauth_requested || !Valid(s, now)) {
    due = now;
  } else {
    // Never past the point where the session is about to run out: a stored
    // record may carry a plan made for a longer lifetime.
    due = std::min(s.session->refresh_at, SoloAt(*s.session));
  }
  if (!s.operator_requested) due = std::max(due, s.backoff_until);
  if (s.max_live_sessions > 0) {
    auto live = LiveExpiries(s, now);
    if (static_cast<int>(live.size()) >= s.max_live_sessions) due = std::max(due, live.front());
  }
  return due;
}

bool NeedsAuthorization(const ScheduleState& s, TimePoint now) {
  if ((s.needs_support || s.failed) && !s.operator_requested) return false;
  return DueAt(s, now) <= now;
}

std::vector<TimePoint> LiveExpiries(const ScheduleState& s, TimePoint now) {
  constexpr Duration kSkew = kLiveMargin;
  std::vector<TimePoint> out;
  for (TimePoint t : s.earlier_expiries) {
    if (t + kSkew > now) out.push_back(t + kSkew);
  }
  if (s.session && !s.current_rejected && s.session->expires_at + kSkew > now) {
    out.push_back(s.session->expires_at + kSkew);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string AuthorizeReason(const ScheduleState& s, TimePoint now) {
  if (s.operator_requested) return "operator";
  if (s.reauth_requested) return "invalidated";
  if (!s.session) return "first";
  if (!Valid(s, now)) return "expired";
  return "scheduled";
}

Duration SleepFor(TimePoint due, TimePoint now, const Clock& clock) {
  constexpr Duration kLongest = std::chrono::hours(1);
  constexpr Duration kPoll = std::chrono::milliseconds(20);
  Duration real = due == TimePoint::max() ? kLongest : clock.RealDuration(due - now);
  if (real <= Duration::zero()) real = kPoll;
  return std::min(real, kLongest);
}

TimePoint SoloAt(const Session& session) {
  Duration lifetime = session.expires_at - session.issued_at;
  return session.expires_at - std::min<Duration>(std::chrono::minutes(5), lifetime / 10);
}

bool AuthorizeSolo(const ScheduleState& s, TimePoint now) {
  return !(Serving(s, now) && now < SoloAt(*s.session));
}

AccountState AuthorizingState(const ScheduleState& s, TimePoint now) {
  return Serving(s, now) ? AccountState::kRefreshing : AccountState::kAuthorizing;
}

AccountState FollowingState(const ScheduleState& s, TimePoint now) {
  return Valid(s, now) ? AccountState::kRefreshing : AccountState::kAuthorizing;
}

AccountState WaitingState(AccountState state, bool serving) {
  if (!serving && (state == AccountState::kActive || state == AccountState::kRefreshing ||
                   state == AccountState::kAuthorizing)) {
    return AccountState::kUnauthorized;
  }
  return state;
}

TimePoint RefreshAtOrHalfway(TimePoint planned, TimePoint now, TimePoint expires_at) {
  if (planned <= now || planned >= expires_at) return now + (expires_at - now) / 2;
  return planned;
}

}  // namespace tokenwarden::session
