#include "session/schedule.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace tokenwarden::session {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixSeconds(1'700'000'000);
constexpr TimePoint kNever = TimePoint::max();

Session MakeSession(TimePoint issued, Duration lifetime, Duration refresh_after) {
  Session s;
  s.generation = 1;
  s.issued_at = issued;
  s.expires_at = issued + lifetime;
  s.refresh_at = issued + refresh_after;
  return s;
}

// A day-long session issued at kT0, refreshed after 12 h (Alliance's default).
const Session kDay = MakeSession(kT0, hours(24), hours(12));

// One account's state, owned, from which a ScheduleState view is taken.
struct Account {
  std::optional<Session> session;
  bool current_rejected = false;
  bool reauth_requested = false;
  bool operator_requested = false;
  bool needs_support = false;
  bool failed = false;
  TimePoint backoff_until{};
  int max_live_sessions = 0;
  std::vector<TimePoint> earlier_expiries;

  ScheduleState View() const {
    return {.session = session ? &*session : nullptr,
            .current_rejected = current_rejected,
            .reauth_requested = reauth_requested,
            .operator_requested = operator_requested,
            .needs_support = needs_support,
            .failed = failed,
            .backoff_until = backoff_until,
            .max_live_sessions = max_live_sessions,
            .earlier_expiries = earlier_expiries};
  }
};

struct DueCase {
  std::string name;
  Account account;
  TimePoint now;
  TimePoint due;
  std::string reason;  // AuthorizeReason when due, else empty
};

std::vector<DueCase> DueCases() {
  Account day{.session = kDay};
  Account rejected = day;
  rejected.current_rejected = rejected.reauth_requested = true;
  Account backing_off{.backoff_until = kT0 + minutes(1)};
  Account backing_off_serving = day;
  backing_off_serving.backoff_until = kT0 + hours(12) + minutes(3);
  Account support{.session = std::nullopt, .needs_support = true};
  Account failed{.failed = true};
  Account support_operator = support;
  support_operator.operator_requested = true;
  Account operator_in_backoff = day;
  operator_in_backoff.operator_requested = true;
  operator_in_backoff.backoff_until = kT0 + hours(2);
  // A refresh planned after expiry (a provider's plan, or a stored record):
  // the session is refreshed shortly before it runs out (SoloAt), not after.
  Account late_plan{.session = MakeSession(kT0, hours(1), hours(2))};
  // A day-long record restored from the store with a plan made for longer.
  Account restored_long_plan{.session = MakeSession(kT0, hours(24), hours(30))};
  Account plan_at_expiry{.session = MakeSession(kT0, hours(24), hours(24))};
  Account plan_in_last_minutes{.session = MakeSession(kT0, hours(24), hours(24) - minutes(2))};
  Account short_late_plan{.session = MakeSession(kT0, minutes(20), minutes(30))};
  Account restored_in_backoff = restored_long_plan;
  restored_in_backoff.backoff_until = kT0 + hours(24) - minutes(1);
  const TimePoint day_solo = kT0 + hours(24) - minutes(5);
  // Nova Post with a limit of two: the current token and an earlier one.
  Account two_live = day;
  two_live.max_live_sessions = 2;
  two_live.earlier_expiries = {kT0 + hours(3)};
  two_live.reauth_requested = true;
  Account two_live_one_dead = two_live;
  two_live_one_dead.earlier_expiries = {kT0 - hours(1)};
  Account limit_one_rejected = rejected;
  limit_one_rejected.max_live_sessions = 1;
  limit_one_rejected.earlier_expiries = {kT0 + hours(6)};
  Account limit_one_expired{.session = kDay, .max_live_sessions = 1};
  Account operator_at_limit = two_live;
  operator_at_limit.operator_requested = true;

  const TimePoint margin_past = kT0 + hours(3) + kLiveMargin;
  return {
      {"NoSessionIsDueAtOnce", {}, kT0, kT0, "first"},
      {"AValidSessionIsDueAtItsRefreshTime", day, kT0 + hours(1), kT0 + hours(12), ""},
      {"PastTheRefreshTimeItIsDue", day, kT0 + hours(13), kT0 + hours(12), "scheduled"},
      {"AtTheRefreshTimeItIsDue", day, kT0 + hours(12), kT0 + hours(12), "scheduled"},
      {"AnExpiredSessionIsDueAtOnce", day, kT0 + hours(24), kT0 + hours(24), "expired"},
      {"AClockJumpPastExpiryIsDueAtOnce", day, kT0 + hours(24 * 200), kT0 + hours(24 * 200), "expired"},
      {"AClockJumpBackKeepsThePlan", day, kT0 - hours(5), kT0 + hours(12), ""},
      {"ExpiryBeforeTheRefreshWindowIsDueAtExpiry", late_plan, kT0 + hours(1), kT0 + hours(1), "expired"},
      {"BeforeExpiryALatePlanIsDueShortlyBeforeExpiry", late_plan, kT0 + minutes(30), kT0 + minutes(55), ""},
      {"AtSoloAtALatePlanIsDue", late_plan, kT0 + minutes(55), kT0 + minutes(55), "scheduled"},
      {"ARestoredLongPlanIsDueBeforeExpiry", restored_long_plan, kT0 + hours(1), day_solo, ""},
      {"ARestoredLongPlanIsDueAtSoloAt", restored_long_plan, day_solo + minutes(1), day_solo, "scheduled"},
      {"APlanAtExpiryIsDueBeforeIt", plan_at_expiry, kT0 + hours(1), day_solo, ""},
      {"APlanInTheLastMinutesIsDueAtSoloAt", plan_in_last_minutes, kT0 + hours(1), day_solo, ""},
      {"AShortLifetimesLatePlanIsDueATenthBeforeExpiry", short_late_plan, kT0, kT0 + minutes(18), ""},
      {"ABackoffStillDelaysARestoredLatePlan", restored_in_backoff, day_solo, kT0 + hours(24) - minutes(1), ""},
      {"ARejectedSessionIsDueAtOnce", rejected, kT0 + hours(1), kT0 + hours(1), "invalidated"},
      {"ABackoffDelaysAFirstAuthorization", backing_off, kT0, kT0 + minutes(1), ""},
      {"AnEndedBackoffIsDue", backing_off, kT0 + minutes(2), kT0 + minutes(2), "first"},
      {"ABackoffDelaysARefresh", backing_off_serving, kT0 + hours(12), kT0 + hours(12) + minutes(3), ""},
      {"NeedsSupportWaitsForTheOperator", support, kT0, kNever, ""},
      {"AConfigurationErrorWaitsForTheOperator", failed, kT0, kNever, ""},
      {"TheOperatorOverridesNeedsSupport", support_operator, kT0, kT0, "operator"},
      {"TheOperatorOverridesABackoff", operator_in_backoff, kT0 + hours(1), kT0 + hours(1), "operator"},
      {"AtTheSessionLimitTheEarliestTokenMustDie", two_live, kT0 + hours(1), margin_past, ""},
      {"PastTheMarginTheLimitAllowsOneMore", two_live, margin_past, margin_past, "invalidated"},
      {"ADeadEarlierTokenDoesNotCount", two_live_one_dead, kT0 + hours(1), kT0 + hours(1), "invalidated"},
      {"ARejectedCurrentTokenDoesNotCount", limit_one_rejected, kT0 + hours(1), kT0 + hours(6) + kLiveMargin,
       ""},
      {"WithALimitOfOneTheExpiredTokenMustDieFirst", limit_one_expired, kT0 + hours(24),
       kT0 + hours(24) + kLiveMargin, ""},
      {"TheOperatorWaitsForTheSessionLimitToo", operator_at_limit, kT0 + hours(1), margin_past, ""},
  };
}

TEST(Schedule, DueAtNeedsAuthorizationAndTheReasonFollowTheTable) {
  for (const DueCase& c : DueCases()) {
    SCOPED_TRACE(c.name);
    ScheduleState s = c.account.View();
    EXPECT_EQ(DueAt(s, c.now), c.due);
    bool due = c.due <= c.now;
    EXPECT_EQ(NeedsAuthorization(s, c.now), due);
    EXPECT_EQ(!c.reason.empty(), due) << "a due case names its reason, only a due case";
    if (due) {
      EXPECT_EQ(AuthorizeReason(s, c.now), c.reason);
    }
  }
}

TEST(Schedule, LiveExpiriesAreSortedWithTheMarginAndSkipTheDeadAndTheRejected) {
  Account a{.session = kDay, .earlier_expiries = {kT0 + hours(5), kT0 - hours(1), kT0 + hours(2)}};
  EXPECT_EQ(LiveExpiries(a.View(), kT0),
            (std::vector<TimePoint>{kT0 + hours(2) + kLiveMargin, kT0 + hours(5) + kLiveMargin,
                                    kT0 + hours(24) + kLiveMargin}));
  // Within the margin past its expiry a token still counts; at its end, not.
  EXPECT_EQ(LiveExpiries(a.View(), kT0 + hours(24)).size(), 1u);
  EXPECT_TRUE(LiveExpiries(a.View(), kT0 + hours(24) + kLiveMargin).empty());
  a.current_rejected = true;
  EXPECT_EQ(LiveExpiries(a.View(), kT0).size(), 2u);
  EXPECT_TRUE(LiveExpiries(Account{}.View(), kT0).empty());
}

TEST(Schedule, ServingNeedsAValidSessionNotRejected) {
  Account a{.session = kDay};
  EXPECT_TRUE(Valid(a.View(), kT0));
  EXPECT_TRUE(Serving(a.View(), kT0 + hours(24) - milliseconds(1)));
  EXPECT_FALSE(Serving(a.View(), kT0 + hours(24)));  // never at expiry
  a.current_rejected = true;
  EXPECT_TRUE(Valid(a.View(), kT0));
  EXPECT_FALSE(Serving(a.View(), kT0));
  EXPECT_FALSE(Valid(Account{}.View(), kT0));
}

TEST(Schedule, SleepForFollowsTheClockWithAPollAndAnHourCap) {
  ManualClock manual(kT0);
  std::shared_ptr<Clock> real = MakeRealClock();
  std::shared_ptr<Clock> fast = MakeScaledClock(kT0, 3600);  // an hour a second
  struct Case {
    std::string name;
    const Clock& clock;
    TimePoint due;
    Duration sleep;
  } cases[] = {
      {"AManualClockIsPolled", manual, kT0 + hours(5), milliseconds(20)},
      {"OnlyAnOperatorCallSleepsAnHourAtATime", manual, kNever, hours(1)},
      {"ARealClockSleepsUntilDue", *real, kT0 + minutes(7), minutes(7)},
      {"ARealClockSleepsAnHourAtMost", *real, kT0 + hours(12), hours(1)},
      {"APassedDueIsPolled", *real, kT0 - seconds(1), milliseconds(20)},
      {"ANowDueIsPolled", *real, kT0, milliseconds(20)},
      {"AScaledClockSleepsTheScaledTime", *fast, kT0 + hours(2), seconds(2)},
      {"AClockJumpPastDueIsPolled", *fast, kT0 - hours(24 * 30), milliseconds(20)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(SleepFor(c.due, kT0, c.clock), c.sleep);
  }
}

TEST(Schedule, SoloAtIsFiveMinutesOrATenthOfALifetimeBeforeExpiry) {
  EXPECT_EQ(SoloAt(kDay), kT0 + hours(24) - minutes(5));
  EXPECT_EQ(SoloAt(MakeSession(kT0, minutes(20), minutes(10))), kT0 + minutes(18));
  EXPECT_EQ(SoloAt(MakeSession(kT0, minutes(50), minutes(10))), kT0 + minutes(45));
}

TEST(Schedule, WithoutTheLeaseAnAgentAuthorizesOnlyWhenItCannotServeUntilSoloAt) {
  Account day{.session = kDay};
  Account rejected = day;
  rejected.current_rejected = true;
  struct Case {
    std::string name;
    Account account;
    TimePoint now;
    bool solo;
  } cases[] = {
      {"NothingToServe", {}, kT0, true},
      {"ServingWellBeforeExpiry", day, kT0 + hours(12), false},
      {"JustBeforeSoloAt", day, kT0 + hours(24) - minutes(5) - milliseconds(1), false},
      {"AtSoloAt", day, kT0 + hours(24) - minutes(5), true},
      {"Expired", day, kT0 + hours(25), true},
      {"Rejected", rejected, kT0 + hours(1), true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(AuthorizeSolo(c.account.View(), c.now), c.solo);
  }
}

TEST(Schedule, TheStateShownSaysWhetherASessionIsServedMeanwhile) {
  Account day{.session = kDay};
  Account rejected = day;
  rejected.current_rejected = true;
  // Our own authorization: refreshing only while a session is served.
  EXPECT_EQ(AuthorizingState(day.View(), kT0), AccountState::kRefreshing);
  EXPECT_EQ(AuthorizingState(rejected.View(), kT0), AccountState::kAuthorizing);
  EXPECT_EQ(AuthorizingState(day.View(), kT0 + hours(24)), AccountState::kAuthorizing);
  EXPECT_EQ(AuthorizingState(Account{}.View(), kT0), AccountState::kAuthorizing);
  // A lease held elsewhere: refreshing while our session is still valid.
  EXPECT_EQ(FollowingState(day.View(), kT0), AccountState::kRefreshing);
  EXPECT_EQ(FollowingState(rejected.View(), kT0), AccountState::kRefreshing);
  EXPECT_EQ(FollowingState(day.View(), kT0 + hours(24)), AccountState::kAuthorizing);
  EXPECT_EQ(FollowingState(Account{}.View(), kT0), AccountState::kAuthorizing);
  // Waiting with nothing to serve: no longer active or authorizing.
  for (AccountState s : {AccountState::kActive, AccountState::kRefreshing, AccountState::kAuthorizing}) {
    EXPECT_EQ(WaitingState(s, false), AccountState::kUnauthorized);
    EXPECT_EQ(WaitingState(s, true), s);
  }
  for (AccountState s : {AccountState::kUnauthorized, AccountState::kBackoff, AccountState::kNeedsSupport,
                         AccountState::kFailed}) {
    EXPECT_EQ(WaitingState(s, false), s);
  }
}

TEST(Schedule, ARefreshPlanOutsideTheLifetimeBecomesHalfway) {
  const TimePoint expires = kT0 + hours(2);
  EXPECT_EQ(RefreshAtOrHalfway(kT0 + hours(1) + minutes(30), kT0, expires), kT0 + hours(1) + minutes(30));
  EXPECT_EQ(RefreshAtOrHalfway(kT0, kT0, expires), kT0 + hours(1));             // now
  EXPECT_EQ(RefreshAtOrHalfway(kT0 - hours(1), kT0, expires), kT0 + hours(1));  // past
  EXPECT_EQ(RefreshAtOrHalfway(expires, kT0, expires), kT0 + hours(1));         // at expiry
  EXPECT_EQ(RefreshAtOrHalfway(kT0 + hours(3), kT0, expires), kT0 + hours(1));  // after it
}

}  // namespace
}  // namespace tokenwarden::session
