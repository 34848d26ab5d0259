// The TokenManager against the emulator on loopback, on a manual clock
// shared by both: schedules, recoveries, needs_support, outages, restarts.
#include "tokenwarden/token_manager.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <atomic>

#include "session/token_manager_test_util.h"
#include "util/file_io.h"

namespace tokenwarden::session {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class TokenManagerTest : public TokenManagerFixture {
 public:
  using TokenManagerFixture::Advance;
  using TokenManagerFixture::NovaPostProvider;
  using TokenManagerFixture::Options;
  using TokenManagerFixture::Start;
  using TokenManagerFixture::Stats;
  using TokenManagerFixture::Use;
  using TokenManagerFixture::WaitForSession;
  using TokenManagerFixture::Await;
};

TEST_F(TokenManagerTest, SeventyTwoSimulatedHoursAuthorizeOncePerTwelveHours) {
  auto m = Start(Options(AllianceProvider(), "shop"));
  ASSERT_TRUE(WaitForSession(*m).ok());
  std::vector<TimePoint> issued;
  int calls = 0;
  for (Duration t{}; t < hours(72); t += minutes(5)) {
    Advance(*m, minutes(5));
    auto s = m->current();
    ASSERT_NE(s, nullptr) << "no session at +" << std::chrono::duration_cast<minutes>(t).count() << " min";
    if (issued.empty() || issued.back() != s->issued_at) issued.push_back(s->issued_at);
    auto [reply, verdict] = CreateOrder(*m, *s);
    ASSERT_EQ(reply.status, 200) << reply.body;
    ASSERT_EQ(verdict.action, Action::kOk) << verdict.code;
    ++calls;
  }
  // Refreshes 8 to 12 h apart while the account moves to its phase (four
  // rounds at most), then every 12 h: six to eight authorizations in 72 h.
  EXPECT_GE(issued.size(), 6u);
  EXPECT_LE(issued.size(), 8u);
  for (size_t i = 1; i < issued.size(); ++i) {
    Duration gap = issued[i] - issued[i - 1];
    EXPECT_GE(gap, hours(8)) << "refresh " << i;
    EXPECT_LE(gap, hours(12) + minutes(5)) << "refresh " << i;  // plus one step
    if (i >= 5) {
      EXPECT_GE(gap, hours(12) - minutes(5)) << "refresh " << i << " is off its phase";
    }
  }
  EXPECT_EQ(AllianceAuthorizations(), static_cast<long long>(issued.size()));
  EXPECT_EQ(m->Status().authorizations_ok, issued.size());
  EXPECT_EQ(m->Status().generation, issued.size());
  EXPECT_EQ(calls, 72 * 12);
}

// A sleeping account sleeps until its refresh is due (an hour at most at a
// time), not a minute at a time. A clock that jumps (here an OffsetClock
// running in real time, as the wall clock does when stepped) must still
// wake it at once: only the alarm queue's watch can, as nobody calls Wake().
TEST_F(TokenManagerTest, AJumpOfTheClockWakesASleepingAccountAtOnce) {
  auto clock = std::make_shared<OffsetClock>(MakeRealClock());
  clock->Advance(emulator_clock_->Now() - clock->Now());  // the emulator's time, running
  auto o = Options(AllianceProvider(), "shop");
  o.clock = clock;
  o.clock_check_every = milliseconds(50);
  auto m = Start(std::move(o));
  ASSERT_TRUE(WaitForSession(*m).ok());
  ASSERT_EQ(AllianceAuthorizations(), 1);
  std::this_thread::sleep_for(milliseconds(200));  // asleep until its refresh, hours away
  EXPECT_EQ(m->Status().state, AccountState::kActive);
  EXPECT_EQ(AllianceAuthorizations(), 1);
  emulator_clock_->Advance(hours(13));
  clock->Advance(hours(13));  // past any refresh_at (8 to 12 h), before expiry (24 h)
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (AllianceAuthorizations() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(AllianceAuthorizations(), 2) << "the jump was not seen within 5 s";
}

// The fixture's file store, but its next `failing` saves fail.
class FlakyStore : public SessionStore {
 public:
  explicit FlakyStore(std::shared_ptr<SessionStore> inner) : inner_(std::move(inner)) {}
  Result<std::optional<VersionedRecord>> Load(std::string_view account) override { return inner_->Load(account); }
  Result<uint64_t> Save(std::string_view account, const AccountRecord& record, uint64_t expected) override {
    ++saves;
    if (failing.load() > 0) {
      --failing;
      ++failed;
      return MakeError(ErrorCode::kUnavailable, "no space left on device");
    }
    return inner_->Save(account, record, expected);
  }
  Result<bool> TryLease(std::string_view account, std::string_view holder, Duration ttl) override {
    return inner_->TryLease(account, holder, ttl);
  }
  Status ReleaseLease(std::string_view account, std::string_view holder) override {
    return inner_->ReleaseLease(account, holder);
  }
  std::atomic<int> failing{0};  // saves still to fail
  std::atomic<int> failed{0};
  std::atomic<int> saves{0};

 private:
  std::shared_ptr<SessionStore> inner_;
};

TEST_F(TokenManagerTest, AFailedSaveIsRetriedUntilTheSessionIsStored) {
  auto flaky = std::make_shared<FlakyStore>(Store());
  flaky->failing = 3;
  auto o = Options(AllianceProvider(), "shop");
  o.store = flaky;
  auto m = Start(std::move(o));
  auto s = WaitForSession(*m);
  ASSERT_TRUE(s.ok()) << s.error().message;
  // The manager acts on each clock step in its own time: wait for the n-th
  // save, then for a round trip through the manager's strand, so that the
  // save and what the manager makes of it (the next retry time, read from
  // the clock) are over before the test reads the store or moves the clock.
  auto saves_reach = [&](int n) {
    for (int i = 0; i < 500 && flaky->saves.load() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(WaitForSession(*m).ok());
    return flaky->saves.load();
  };
  EXPECT_EQ(saves_reach(1), 1);
  EXPECT_FALSE(Store()->Load("shop")->has_value()) << "the first save was to fail";
  // Tried again 1 s, 2 s and 4 s later: the fourth save lands.
  Advance(*m, seconds(1));
  EXPECT_EQ(saves_reach(2), 2);
  Advance(*m, seconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(flaky->saves.load(), 2) << "tried again sooner than 2 s after the second failure";
  Advance(*m, seconds(1));
  EXPECT_EQ(saves_reach(3), 3);
  Advance(*m, seconds(4));
  EXPECT_EQ(saves_reach(4), 4);
  auto stored = Store()->Load("shop");
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value()) << "the session never reached the store";
  ASSERT_TRUE((*stored)->record.session.has_value());
  EXPECT_EQ((*stored)->record.session->generation, (*s)->generation);
  Advance(*m, minutes(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(flaky->saves.load(), 4) << "saved again with nothing new to save";
  EXPECT_EQ(flaky->failed.load(), 3);
  EXPECT_EQ(AllianceAuthorizations(), 1);
}

TEST_F(TokenManagerTest, ARestartWithAValidStoredSessionDoesNotAuthorize) {
  auto first = Start(Options(AllianceProvider(), "shop"));
  auto s1 = WaitForSession(*first);
  ASSERT_TRUE(s1.ok()) << s1.error().message;
  first->Stop();
  Advance(*first, hours(3));

  auto second = Start(Options(AllianceProvider(), "shop"));
  auto s2 = WaitForSession(*second);
  ASSERT_TRUE(s2.ok()) << s2.error().message;
  EXPECT_EQ((*s2)->generation, (*s1)->generation);
  EXPECT_EQ(AllianceAuthorizations(), 1);
  auto [reply, verdict] = CreateOrder(*second, **s2);
  EXPECT_EQ(reply.status, 200) << reply.body;
  // And the schedule carries on from the stored plan.
  Advance(*second, hours(10));
  EXPECT_EQ(AllianceAuthorizations(), 2);
  EXPECT_EQ(second->current()->generation, 2u);
}

TEST_F(TokenManagerTest, AThousandConcurrentInvalidationsOfOneGenerationAuthorizeOnce) {
  auto m = Start(Options(AllianceProvider(), "shop"));
  auto s = WaitForSession(*m);
  ASSERT_TRUE(s.ok());
  uint64_t bad = (*s)->generation;
  std::atomic<int> done{0};
  std::atomic<int> newer{0};
  for (int i = 0; i < 1000; ++i) {
    boost::asio::co_spawn(
        ioc_,
        [&, m]() -> boost::asio::awaitable<void> {
          auto r = co_await m->Invalidate(bad, seconds(10));
          if (r.ok() && (*r)->generation == bad + 1) ++newer;
          ++done;
        },
        boost::asio::detached);
  }
  auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (done < 1000 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(done.load(), 1000);
  EXPECT_EQ(newer.load(), 1000);
  EXPECT_EQ(AllianceAuthorizations(), 2);
  // A late report of the old generation changes nothing.
  auto late = Await(m->Invalidate(bad, seconds(1)));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ((*late)->generation, bad + 1);
  EXPECT_EQ(AllianceAuthorizations(), 2);
}

// Every session msgCode of PROTOCOLS.md (both spellings), and a bare 401:
// the provider says reauthorize, one invalidation makes one new session, the
// retried request succeeds.
TEST_F(TokenManagerTest, EverySessionRejectionReauthorizesOnceAndTheRetrySucceeds) {
  auto m = Start(Options(AllianceProvider(), "shop"));
  ASSERT_TRUE(WaitForSession(*m).ok());
  const std::vector<nlohmann::json> faults = {
      {{"kind", "error"}, {"msgCode", "b_expired_token"}},
      {{"kind", "error"}, {"msgCode", "b_session_doesnt_exist"}},
      {{"kind", "error"}, {"msgCode", "b_session_doesnt_exists"}},
      {{"kind", "error"}, {"msgCode", "b_used_token"}},
      {{"kind", "error"}, {"msgCode", "b_previous_auth_token_expired"}},
      {{"kind", "error"}, {"msgCode", "b_unknown_device"}},
      {{"kind", "error"}, {"msgCode", "b_virtual_device_not_found"}},
      {{"kind", "error"}, {"msgCode", "b_refresh_token_absent"}},
      {{"kind", "status"}, {"status", 401}},
  };
  long long authorizations = AllianceAuthorizations();
  for (const nlohmann::json& f : faults) {
    SCOPED_TRACE(f.dump());
    FaultOnce(f, "/ecom/");
    auto s = m->current();
    ASSERT_NE(s, nullptr);
    auto [rejected, verdict] = CreateOrder(*m, *s);
    EXPECT_EQ(verdict.action, Action::kReauthorize) << rejected.status << " " << rejected.body;
    auto fresh = Await(m->Invalidate(s->generation, seconds(5)));
    ASSERT_TRUE(fresh.ok()) << fresh.error().message;
    EXPECT_EQ((*fresh)->generation, s->generation + 1);
    EXPECT_EQ(AllianceAuthorizations(), ++authorizations);
    auto [retried, again] = CreateOrder(*m, **fresh);
    EXPECT_EQ(retried.status, 200) << retried.body;
    EXPECT_EQ(again.action, Action::kOk);
  }
  // The real thing, not injected: the emulator killed the session.
  auto s = m->current();
  ASSERT_EQ(Call("POST", "/_emulator/alliance/sessions/kill", {}, nlohmann::json{{"serviceCode", kCode}}.dump()).status, 200);
  auto [gone, verdict] = CreateOrder(*m, *s);
  EXPECT_EQ(verdict.action, Action::kReauthorize) << gone.body;
  auto fresh = Await(m->Invalidate(s->generation, seconds(5)));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(CreateOrder(*m, **fresh).first.status, 200);
}

TEST_F(TokenManagerTest, OverloadAnswersToCallsDoNotReauthorize) {
  auto m = Start(Options(AllianceProvider(), "shop"));
  ASSERT_TRUE(WaitForSession(*m).ok());
  for (const char* code : {"b_server_is_overloaded", "b_overload_error"}) {
    Fault({{"kind", "error"}, {"msgCode", code}, {"path_prefix", "/ecom/"}, {"count", 1}});
    auto [reply, verdict] = CreateOrder(*m, *m->current());
    EXPECT_EQ(verdict.action, Action::kRetryLater) << code << ": " << reply.body;
  }
  EXPECT_EQ(AllianceAuthorizations(), 1);
}

// A failed refresh keeps the valid session in service, backs off, and the
// next attempt after the fault succeeds.
TEST_F(TokenManagerTest, AFailedRefreshBacksOffAndKeepsServing) {
  auto m = Start(Options(AllianceProvider(), "shop"));
  ASSERT_TRUE(WaitForSession(*m).ok());
  const std::vector<nlohmann::json> faults = {
      {{"kind", "error"}, {"msgCode", "b_server_is_overloaded"}},  // a plain JSON error, 503
      {{"kind", "error"}, {"msgCode", "b_overload_error"}},        // a plain JSON error, 200
      {{"kind", "status"}, {"status", 500}},
      {{"kind", "malformed"}},
      {{"kind", "truncate"}},
      {{"kind", "wrong_key_jwe"}},
      {{"kind", "drop"}},
  };
  for (const nlohmann::json& f : faults) {
    SCOPED_TRACE(f.dump());
    FaultOnce(f, "/api-gateway/");
    auto before = m->current();
    ASSERT_NE(before, nullptr);
    long long authorizations = AllianceAuthorizations();
    Advance(*m, before->refresh_at - emulator_clock_->Now() + seconds(1));
    AccountStatus st = m->Status();
    EXPECT_EQ(st.state, AccountState::kBackoff);
    EXPECT_FALSE(st.last_error_code.empty());
    ASSERT_NE(m->current(), nullptr);
    EXPECT_EQ(m->current()->generation, before->generation);
    EXPECT_EQ(CreateOrder(*m, *m->current()).first.status, 200);
    // One backoff step later the fault is spent and the refresh succeeds.
    Advance(*m, *st.next_retry - emulator_clock_->Now() + seconds(1));
    AccountStatus recovered = m->Status();
    EXPECT_EQ(recovered.state, AccountState::kActive);
    EXPECT_EQ(recovered.last_error_code, "") << "a success clears the last error";
    EXPECT_EQ(recovered.last_error_message, "");
    EXPECT_EQ(recovered.consecutive_failures, 0);
    EXPECT_EQ(m->current()->generation, before->generation + 1);
    EXPECT_GE(AllianceAuthorizations(), authorizations);
  }
}

TEST_F(TokenManagerTest, AccessClosedStopsAuthorizingUntilTheOperatorAndStoresTheNewParameters) {
  auto m = Start(Options(AllianceProvider(), "shop"));
  auto first = WaitForSession(*m);
  ASSERT_TRUE(first.ok());
  std::string old_state(( *first)->upstream_state.reveal());
  ASSERT_EQ(Call("POST", "/_emulator/alliance/inactivity", {},
                 nlohmann::json{{"serviceCode", kCode}, {"days", 201}}.dump()).status, 200);
  Advance(*m, hours(13));
  EXPECT_EQ(m->Status().state, AccountState::kNeedsSupport);
  EXPECT_EQ(m->current(), nullptr);
  auto refused = WaitForSession(*m);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message.find("tokenwarden authorize shop"), std::string::npos) << refused.error().message;
  long long rejected = Stats()["alliance"][kCode]["rejected"].value("b_auth_token_expired", 0LL);
  EXPECT_EQ(rejected, 1);
  // Days pass: not one more attempt.
  for (int i = 0; i < 48; ++i) Advance(*m, hours(1));
  EXPECT_EQ(Stats()["alliance"][kCode]["rejected"].value("b_auth_token_expired", 0LL), 1);
  // A restart remembers it (the store), and does not try either.
  m->Stop();
  auto restarted = Start(Options(AllianceProvider(), "shop"));
  Settle(*restarted);
  EXPECT_EQ(restarted->Status().state, AccountState::kNeedsSupport);
  EXPECT_NE(restarted->Status().support_message.find("support"), std::string::npos);
  EXPECT_EQ(Stats()["alliance"][kCode]["rejected"].value("b_auth_token_expired", 0LL), 1);

  // Support reopens access; the operator authorizes.
  ASSERT_EQ(Call("POST", "/_emulator/alliance/reopen", {}, nlohmann::json{{"serviceCode", kCode}}.dump()).status, 200);
  auto back = Await(restarted->AuthorizeNow(seconds(5)));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(restarted->Status().support_message, "") << "access reopened: nothing left to do";
  EXPECT_EQ(restarted->Status().account, "shop");
  EXPECT_EQ(CreateOrder(*restarted, **back).first.status, 200);
  auto stored = Store()->Load("shop");
  ASSERT_TRUE(stored.ok() && *stored);
  EXPECT_FALSE((*stored)->record.needs_support);
  ASSERT_TRUE((*stored)->record.session);
  std::string new_state((*stored)->record.session->upstream_state.reveal());
  EXPECT_NE(new_state, old_state);
  EXPECT_EQ(nlohmann::json::parse(new_state).value("serverPublic", nlohmann::json()),
            nlohmann::json::parse((*back)->upstream_state.reveal()).value("serverPublic", nlohmann::json()));
}

TEST_F(TokenManagerTest, AnOutageIsRiddenOutUntilExpiryThenAClearErrorThenRecovery) {
  auto m = Start(Options(AllianceProvider(), "shop"));
  auto s = WaitForSession(*m);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(m->Serving());
  Fault({{"kind", "status"}, {"status", 503}, {"path_prefix", "/api-gateway/"}, {"seconds", 30 * 3600}});
  // From the planned refresh to expiry, every attempt fails and the session
  // keeps working.
  Advance(*m, (*s)->refresh_at - emulator_clock_->Now());
  while (emulator_clock_->Now() + minutes(10) < (*s)->expires_at) {
    ASSERT_NE(m->current(), nullptr);
    ASSERT_TRUE(m->Serving());
    EXPECT_EQ(CreateOrder(*m, *m->current()).first.status, 200);
    Advance(*m, minutes(10));
  }
  EXPECT_GT(m->Status().authorizations_failed, 20u);
  Advance(*m, (*s)->expires_at - emulator_clock_->Now());
  EXPECT_EQ(m->current(), nullptr);  // never an expired session
  EXPECT_FALSE(m->Serving());
  auto err = Await(m->WaitForSession(std::chrono::milliseconds(200)));
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.error().message.find("shop"), std::string::npos);
  // The upstream comes back: recovery within one backoff step.
  ASSERT_EQ(Call("DELETE", "/_emulator/faults").status, 200);
  Advance(*m, minutes(5) + seconds(1));
  auto back = WaitForSession(*m);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(m->Serving());
  EXPECT_EQ(CreateOrder(*m, **back).first.status, 200);
}

// Ten simulated hours of use, one call a minute: the emulator never counts
// more live tokens of the key than the limit. With a limit of 2 there is
// never a gap; with 1 the next token can only come after the current one
// died, so there is one short gap per token.
void NovaPostUnderALimit(TokenManagerTest& t, int limit, int* gaps) {
  auto o = t.Options(t.NovaPostProvider(), "delivery");
  o.max_live_sessions = limit;
  auto m = t.Start(o);
  *gaps = 0;
  for (int step = 0; step < 10 * 60; ++step) {
    // Settled: a session is there at once, or not until the clock moves.
    auto s = t.Await(m->WaitForSession(std::chrono::milliseconds(100)));
    if (!s.ok()) {
      ++*gaps;
      ASSERT_NE(s.error().message.find("next authorization in"), std::string::npos) << s.error().message;
      t.Advance(*m, kLiveMargin);
      s = t.WaitForSession(*m);
    }
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto [reply, verdict] = t.Use(*m, **s, "GET", "/v.1.0/divisions");
    ASSERT_EQ(reply.status, 200) << reply.body;
    int live = t.Stats()["novapost"]["np-key-1"].value("live_sessions", -1);
    ASSERT_LE(live, limit) << "at step " << step;
    ASSERT_LE(m->Status().live_sessions, limit);
    t.Advance(*m, minutes(1));
  }
}

TEST_F(TokenManagerTest, NovaPostNeverHoldsMoreLiveSessionsThanAllowed) {
  int gaps = -1;
  NovaPostUnderALimit(*this, 2, &gaps);
  EXPECT_EQ(gaps, 0);
  EXPECT_GE(NovaPostAuthorizations(), 10);
  EXPECT_LE(NovaPostAuthorizations(), 12);
}

TEST_F(TokenManagerTest, NovaPostWithALimitOfOneWaitsForTheOldTokenToDie) {
  int gaps = -1;
  NovaPostUnderALimit(*this, 1, &gaps);
  EXPECT_GE(gaps, 8);
  EXPECT_LE(gaps, 10);
}

TEST_F(TokenManagerTest, NovaPostFailsOverToTheSecondBaseUrl) {
  int dead = tokenwarden::testing::FreeLoopbackPort();
  auto m = Start(Options(NovaPostProvider({"http://127.0.0.1:" + std::to_string(dead) + "/v.1.0", Base() + "/v.1.0"}),
                         "delivery"));
  auto s = WaitForSession(*m);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(NovaPostAuthorizations(), 1);
  EXPECT_EQ(Use(*m, **s, "GET", "/v.1.0/divisions").first.status, 200);
}

TEST_F(TokenManagerTest, AnUnknownNovaPostKeyFailsWithoutRetryingInALoop) {
  providers::NovaPostConfig c;
  c.base_urls = {Base() + "/v.1.0"};
  c.api_key = Secret("not-registered");
  auto p = providers::MakeNovaPostProvider(std::move(c), client_, emulator_clock_);
  ASSERT_TRUE(p.ok());
  auto m = Start(Options(std::shared_ptr<Provider>(std::move(*p)), "delivery"));
  auto r = WaitForSession(*m);
  ASSERT_FALSE(r.ok());
  Settle(*m);
  AccountState state = m->Status().state;
  // 401 for an unknown key is a configuration error to the provider or a
  // transient one; either way the manager must not spin.
  EXPECT_TRUE(state == AccountState::kFailed || state == AccountState::kBackoff) << AccountStateName(state);
  uint64_t failed = m->Status().authorizations_failed;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_LE(m->Status().authorizations_failed, failed + 1);
}

}  // namespace
}  // namespace tokenwarden::session

namespace tokenwarden::session {
namespace {

TEST_F(TokenManagerTest, LastUseIsKeptAcrossRestartsForTheInactivityRule) {
  auto m = Start(Options(AllianceProvider(), "shop"));
  ASSERT_TRUE(WaitForSession(*m).ok());
  Advance(*m, hours(1));
  TimePoint used = emulator_clock_->Now();
  m->RecordUse();
  Advance(*m, hours(24 * 181));
  ASSERT_TRUE(m->Status().last_used.has_value());
  EXPECT_EQ(std::chrono::floor<std::chrono::milliseconds>(*m->Status().last_used),
            std::chrono::floor<std::chrono::milliseconds>(used));
  m->Stop();
  auto restarted = Start(Options(AllianceProvider(), "shop"));
  ASSERT_TRUE(WaitForSession(*restarted).ok());
  ASSERT_TRUE(restarted->Status().last_used.has_value());
  EXPECT_EQ(std::chrono::floor<std::chrono::milliseconds>(*restarted->Status().last_used),
            std::chrono::floor<std::chrono::milliseconds>(used));
}

}  // namespace
}  // namespace tokenwarden::session
