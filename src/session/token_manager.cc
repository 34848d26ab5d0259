#include "tokenwarden/token_manager.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <random>
#include <vector>

#include "session/alarm_queue.h"
#include "session/backoff.h"
#include "session/messages.h"
#include "session/schedule.h"
#include "session/session_cell.h"
#include "session/shared_options.h"
#include "session/status_board.h"
#include "session/strand_pool.h"
#include "util/async_limit.h"
#include "util/log.h"
#include "util/time_format.h"

namespace tokenwarden {
namespace {

namespace asio = boost::asio;
using SessionPtr = std::shared_ptr<const Session>;

// A jitter seed per manager. std::random_device costs ~11 us to open, which
// was half of an agent's start with 100,000 accounts; one draw per process,
// spread by a counter through splitmix64, gives each manager its own stream.
uint64_t JitterSeed() {
  static const uint64_t base = (uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  static std::atomic<uint64_t> counter{0};
  uint64_t z = base + counter.fetch_add(1, std::memory_order_relaxed) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
using session::Strand;
using session::StrandPool;

// A failed store save is tried again after 1 s, then twice as long each
// time, at most every 5 minutes.
constexpr Duration kSaveRetryFirst = std::chrono::seconds(1);
constexpr Duration kSaveRetryLongest = std::chrono::minutes(5);

// co_spawn in Boost 1.74 wants a default-constructible result.
struct Outcome {
  SessionPtr session;
  std::optional<Error> error;
};

Result<SessionPtr> ToResult(Outcome o) {
  if (o.error) return std::move(*o.error);
  return std::move(o.session);
}

std::chrono::steady_clock::duration ToSteady(Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
}

// What a waiter asked for.
enum class Ask { kAnySession, kNewerThan, kOperator };

class TokenManagerImpl final : public TokenManager,
                               private session::AlarmQueue::Alarm,
                               public std::enable_shared_from_this<TokenManagerImpl> {
 public:
  TokenManagerImpl(TokenManagerOptions options, asio::any_io_executor executor)
      : account_(std::move(options.account)),
        provider_(std::move(options.provider)),
        max_live_sessions_(options.max_live_sessions),
        o_(session::InternSharedOptions(options)),
        strands_(StrandPool::For(executor)),
        strand_(strands_->Next()),
        rng_(static_cast<JitterRng::result_type>(options.seed ? options.seed : JitterSeed())) {
    strands_->alarms().Watch(o_->clock, o_->clock_check_every);
  }

  // Nothing holds a sleeping manager alive but its owners.
  ~TokenManagerImpl() override { strands_->alarms().Cancel(*this); }

  void Start(std::function<void(bool restored)> started) override {
    asio::post(strand_, [self = shared_from_this(), started = std::move(started)] {
      bool restored = self->o_->store && self->Adopt(self->LoadRecord(), /*at_start=*/true);
      self->PublishStatus();
      self->Step();
      if (started) started(restored);
    });
  }

  void Stop() override {
    asio::post(strand_, [self = shared_from_this()] {
      self->stopped_ = true;
      self->WakeScheduler();
      self->NotifyWaiters();
    });
  }

  const std::string& account() const override { return account_; }
  const Provider& provider() const override { return *provider_; }

  SessionPtr current() const override {
    SessionPtr s = cell_.Get();
    if (s && o_->clock->Now() < s->expires_at) return s;
    return nullptr;
  }

  bool Serving() const override { return Serving(o_->clock->Now()); }
  bool Serving(TimePoint now) const override { return cell_.ValidAt(now); }

  asio::awaitable<Result<SessionPtr>> WaitForSession(Duration timeout) override {
    if (SessionPtr s = current()) co_return s;
    co_return co_await OnStrand(Ask::kAnySession, 0, timeout);
  }

  asio::awaitable<Result<SessionPtr>> Invalidate(uint64_t generation, Duration timeout) override {
    SessionPtr s = current();
    if (s && s->generation > generation) co_return s;  // already replaced
    co_return co_await OnStrand(Ask::kNewerThan, generation, timeout);
  }

  asio::awaitable<Result<SessionPtr>> AuthorizeNow(Duration timeout) override {
    co_return co_await OnStrand(Ask::kOperator, 0, timeout);
  }

  void RecordUse() override {
    last_used_ms_.store(ToMillis(o_->clock->Now()), std::memory_order_relaxed);
  }

  void Wake() override {
    asio::post(strand_, [self = shared_from_this()] { self->WakeScheduler(); });
  }

  void StoreChanged() override {
    asio::post(strand_, [self = shared_from_this()] {
      self->store_changed_ = true;
      self->WakeScheduler();
    });
  }

  AccountStatus Status() const override {
    long long used = last_used_ms_.load(std::memory_order_relaxed);
    return session::ToAccountStatus(board_.Read(), account_, provider_->name(),
                                    used != 0 ? std::optional<TimePoint>(FromMillis(used)) : std::nullopt);
  }

 private:
  static long long ToMillis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  static TimePoint FromMillis(long long ms) { return TimePoint(std::chrono::milliseconds(ms)); }

  bool Valid(const SessionPtr& s, TimePoint now) const { return s && now < s->expires_at; }
  uint64_t generation() const { return session_ ? session_->generation : generation_floor_; }

  // ---- the scheduler ---------------------------------------------------

  // One turn, on the strand: authorize if due, else sleep until due. A
  // sleeping account holds an alarm in its strand pool's queue, not a
  // coroutine frame (about 1.5 KiB each, which 100,000 accounts would
  // feel) nor a timer of its own (about 300 B with its wait); a coroutine
  // lives only for an attempt. Each turn ends by scheduling the next.
  void Step() {
    if (stopped_) {
      NotifyWaiters();
      return;
    }
    if (store_changed_) {
      store_changed_ = false;
      Adopt(LoadRecord(), false);
    }
    TimePoint now = o_->clock->Now();
    RetrySaveIfDue(now);
    TimePoint due = session::DueAt(Schedule(), now);
    if (due <= now) {
      // In line for an authorization place first, as a handler: a burst of
      // thousands of accounts due at once (the first start) waits cheaply.
      if (o_->authorization_limit) {
        o_->authorization_limit->AcquireThen(strand_, [self = shared_from_this()] { self->SpawnAttempt(true); });
      } else {
        SpawnAttempt(false);
      }
      return;
    }
    ShowWaiting(due, now);
    strands_->alarms().Set(*this, std::chrono::steady_clock::now() +
                                      ToSteady(SleepFor(save_pending_ ? std::min(due, save_retry_at_) : due, now)));
  }

  // The sleep between turns is over (on the alarm queue's thread).
  void Ring() override {
    if (auto self = weak_from_this().lock()) asio::post(strand_, [self = std::move(self)] { self->EndTurn(); });
  }

  // On the strand: ends the sleep between turns, or an attempt's, now.
  void WakeScheduler() {
    if (strands_->alarms().Cancel(*this)) {
      asio::post(strand_, [self = shared_from_this()] { self->EndTurn(); });
    } else if (sleeping_) {
      sleeping_->cancel();
    }
  }

  // `placed`: holding a place of o_->authorization_limit, given back when
  // the attempt ends.
  void SpawnAttempt(bool placed) {
    if (stopped_) {
      if (placed) o_->authorization_limit->Release();
      return Step();
    }
    asio::co_spawn(strand_, [self = shared_from_this(), placed] { return self->Attempt(placed); },
                   [self = shared_from_this()](std::exception_ptr e) {
                     if (e) return self->Halt(e);
                     self->EndTurn();
                   });
  }

  void EndTurn() {
    WarnIfInactive(o_->clock->Now());
    Step();
  }

  // An exception escaped an attempt: this account's scheduler stops.
  void Halt(std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      log::Error("scheduler_stopped", {{"account", account_}, {"error", x.what()}});
    } catch (...) {
      log::Error("scheduler_stopped", {{"account", account_}, {"error", "unknown exception"}});
    }
    stopped_ = true;
    NotifyWaiters();
  }

  // A view of the strand-only state for the schedule's pure functions.
  session::ScheduleState Schedule() const {
    return {.session = session_.get(),
            .current_rejected = current_rejected_,
            .reauth_requested = reauth_requested_,
            .operator_requested = operator_requested_,
            .needs_support = needs_support_,
            .failed = failed_,
            .backoff_until = backoff_until_,
            .max_live_sessions = max_live_sessions_,
            .earlier_expiries = earlier_expiries_};
  }

  // Nothing to serve and nothing to do before `due` (a session limit, a
  // backoff): say so, so that status readers see why.
  void ShowWaiting(TimePoint due, TimePoint now) {
    AccountState want = session::WaitingState(state_, session::Serving(Schedule(), now));
    if (want != state_ || next_due_ != due || !published_due_) {
      published_due_ = true;
      state_ = want;
      next_due_ = due;
      PublishStatus();
    }
  }

  // The real time to sleep until `due`. Clocks move in ways a timer cannot
  // see: a jump of one that tells real time (a wall-clock step, an
  // OffsetClock's advance) rings every alarm (AlarmQueue::Watch, set up in
  // the constructor), and a clock that cannot tell real time (a ManualClock)
  // is polled (session::SleepFor).
  Duration SleepFor(TimePoint due, TimePoint now) const { return session::SleepFor(due, now, *o_->clock); }

  asio::awaitable<void> SleepReal(Duration real) {
    asio::steady_timer timer(strand_.get_inner_executor());
    timer.expires_after(ToSteady(real));
    sleeping_ = &timer;
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    sleeping_ = nullptr;
  }

  asio::awaitable<void> Attempt(bool placed) {
    published_due_ = false;
    std::optional<AsyncLimit::Place> place;
    if (placed) place.emplace(o_->authorization_limit.get());
    TimePoint now = o_->clock->Now();
    bool have_lease = false;
    if (o_->store) {
      // Another process may have authorized already.
      Adopt(LoadRecord(), false);
      if (!NeedsAuthorization(now)) co_return;
      auto lease = o_->store->TryLease(account_, o_->holder_id, o_->lease_ttl);
      if (!lease.ok()) {
        log::Warn("lease_failed", {{"account", account_}, {"error", lease.error().ToString()}});
        if (!session::AuthorizeSolo(Schedule(), now)) {
          // Keep serving; try the store again after a backoff step, but no
          // later than the moment the session would otherwise run out.
          Fail(Verdict{Action::kRetryLater, "store", lease.error().message, {}}, now);
          backoff_until_ = next_due_ = std::min(backoff_until_, session::SoloAt(*session_));
          PublishStatus();
          co_return;
        }
        // Nothing to serve, or the session is about to run out: authorize
        // without the lease rather than fail. Bounded: the new session lasts
        // a whole lifetime before this can happen again.
        log::Warn("authorizing_without_lease",
                  {{"account", account_},
                   {"why", Valid(session_, now) && !current_rejected_ ? "the session is about to expire"
                                                                      : "no session to serve"}});
      } else if (!*lease) {
        // Someone else is authorizing: wait for its session.
        state_ = session::FollowingState(Schedule(), now);
        PublishStatus();
        co_await SleepReal(o_->follower_poll);
        co_return;
      } else {
        have_lease = true;
        // The previous holder may have saved just before it let go.
        Adopt(LoadRecord(), false);
        if (!NeedsAuthorization(now)) {
          ReleaseLease();
          co_return;
        }
      }
    }

    state_ = session::AuthorizingState(Schedule(), now);
    PublishStatus();
    log::Info("authorizing", {{"account", account_},
                              {"provider", provider_->name()},
                              {"reason", session::AuthorizeReason(Schedule(), now)}});
    AuthorizeResult result;
    try {
      result = co_await provider_->Authorize();
    } catch (const std::exception& e) {
      result.verdict = Verdict{Action::kRetryLater, "internal", e.what(), {}};
    }
    now = o_->clock->Now();
    if (result.verdict.action == Action::kOk && result.session &&
        result.session->expires_at > now) {
      Succeed(std::move(*result.session), now);
    } else {
      if (result.verdict.action == Action::kOk) {
        result.verdict = Verdict{Action::kRetryLater, "expired_answer",
                                 "the upstream answered with a session that has already expired", {}};
      }
      Fail(result.verdict, now);
    }
    if (have_lease) ReleaseLease();
  }

  bool NeedsAuthorization(TimePoint now) const { return session::NeedsAuthorization(Schedule(), now); }

  void DropSession() {
    if (session_) generation_floor_ = std::max(generation_floor_, session_->generation);
    session_.reset();
    cell_.Set(nullptr);
  }

  void ReleaseLease() {
    tokenwarden::Status s = o_->store->ReleaseLease(account_, o_->holder_id);
    if (!s.ok()) log::Warn("lease_release_failed", {{"account", account_}, {"error", s.error().ToString()}});
  }

  void Succeed(Session s, TimePoint now) {
    s.account = account_;
    s.provider = std::string(provider_->name());
    // Past every generation seen in the store too: after a store outage in
    // which agents authorized on their own, the next shared session must be
    // newer than each of theirs for all to adopt it.
    s.generation = std::max(generation(), store_generation_) + 1;
    s.refresh_at = provider_->PlanRefresh(s);
    // A plan in the past or past expiry (a very short-lived token): halfway.
    s.refresh_at = session::RefreshAtOrHalfway(s.refresh_at, now, s.expires_at);
    if (Valid(session_, now) && !current_rejected_) earlier_expiries_.push_back(session_->expires_at);
    std::erase_if(earlier_expiries_, [&](TimePoint t) { return t + std::chrono::minutes(1) <= now; });
    if (last_used_ms_.load(std::memory_order_relaxed) == 0) RecordUse();

    session_ = std::make_shared<const Session>(std::move(s));
    cell_.Set(session_);
    current_rejected_ = reauth_requested_ = operator_requested_ = false;
    needs_support_ = failed_ = false;
    SetSupportMessage({});
    failures_ = 0;
    backoff_until_ = {};
    state_ = AccountState::kActive;
    ++ok_;
    SetLastError({});
    SaveRecord();
    log::Info("authorized", {{"account", account_},
                             {"provider", session_->provider},
                             {"generation", session_->generation},
                             {"expires_at", FormatUtcIso(session_->expires_at)},
                             {"refresh_at", FormatUtcIso(session_->refresh_at)}});
    PublishStatus();
    NotifyWaiters();
  }

  void Fail(const Verdict& verdict, TimePoint now) {
    ++failed_count_;
    SetLastError(verdict);
    operator_requested_ = false;
    switch (verdict.action) {
      case Action::kNeedsSupport:
        needs_support_ = true;
        SetSupportMessage(session::NeedsSupportMessage(account_, verdict));
        DropSession();  // the bank closed access: the old session is dead too
        state_ = AccountState::kNeedsSupport;
        SaveRecord();
        log::Error("needs_support", {{"account", account_}, {"code", verdict.code}, {"action", support_message()}});
        break;
      case Action::kFatal:
        failed_ = true;
        SetSupportMessage(session::FailedMessage(account_, verdict));
        state_ = AccountState::kFailed;
        log::Error("authorize_refused", {{"account", account_}, {"code", verdict.code}, {"action", support_message()}});
        break;
      default: {
        ++failures_;
        Duration delay = session::BackoffDelay(failures_, o_->backoff_initial, o_->backoff_max,
                                               verdict.retry_after, rng_);
        backoff_until_ = now + delay;
        next_due_ = backoff_until_;
        state_ = AccountState::kBackoff;
        log::Warn("authorize_failed", {{"account", account_},
                                       {"code", verdict.code},
                                       {"message", verdict.message},
                                       {"failures", failures_},
                                       {"retry_in_ms", std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()},
                                       {"serving", Valid(session_, now) && !current_rejected_}});
        break;
      }
    }
    PublishStatus();
    NotifyWaiters();
  }

  // ---- the store -------------------------------------------------------

  std::optional<VersionedRecord> LoadRecord() {
    if (!o_->store) return std::nullopt;
    auto r = o_->store->Load(account_);
    if (!r.ok()) {
      log::Error("store_load_failed", {{"account", account_}, {"error", r.error().ToString()}});
      return std::nullopt;
    }
    // Nothing stored (a new account, or a Redis that came back empty): the
    // next save creates the record.
    if (!*r) version_ = 0;
    return std::move(*r);
  }

  // Takes what the store knows that we do not: a newer session (made by
  // another process, or before a restart), needs_support, last use.
  // Returns whether it took a valid session.
  bool Adopt(std::optional<VersionedRecord> loaded, bool at_start) {
    if (!loaded) return false;
    version_ = loaded->version;
    AccountRecord& r = loaded->record;
    long long used = ToMillis(r.last_used);
    if (used > last_used_ms_.load(std::memory_order_relaxed)) last_used_ms_.store(used, std::memory_order_relaxed);
    for (TimePoint t : r.earlier_expiries) {
      if (std::find(earlier_expiries_.begin(), earlier_expiries_.end(), t) == earlier_expiries_.end()) {
        earlier_expiries_.push_back(t);
      }
    }
    if (r.needs_support && !operator_requested_ && !needs_support_) {
      needs_support_ = true;
      SetSupportMessage(r.support_message);
      DropSession();
      state_ = AccountState::kNeedsSupport;
      PublishStatus();
      NotifyWaiters();
      return false;
    }
    if (!r.session || r.session->account != account_) return false;
    store_generation_ = std::max(store_generation_, r.session->generation);
    if (r.session->generation <= generation()) return false;
    TimePoint now = o_->clock->Now();
    if (Valid(session_, now) && !current_rejected_) earlier_expiries_.push_back(session_->expires_at);
    session_ = std::make_shared<const Session>(std::move(*r.session));
    if (!Valid(session_, now)) return false;  // only its generation counts
    // Another process (or this one before a restart) authorized: access is
    // open and nothing is pending.
    cell_.Set(session_);
    current_rejected_ = reauth_requested_ = needs_support_ = failed_ = false;
    SetSupportMessage({});
    failures_ = 0;
    backoff_until_ = {};
    state_ = AccountState::kActive;
    if (!at_start) ++adopted_;
    // Restored at start: one line per account only at debug level (the
    // agent logs how many were restored); adopted later: always.
    log::Level level = at_start ? log::Level::kDebug : log::Level::kInfo;
    if (log::Enabled(level)) {
      log::Event(level, at_start ? "session_restored" : "session_adopted",
                 {{"account", account_},
                  {"generation", session_->generation},
                  {"expires_at", FormatUtcIso(session_->expires_at)}});
    }
    PublishStatus();
    NotifyWaiters();
    return true;
  }

  void SaveRecord() {
    if (!o_->store) return;
    AccountRecord r;
    if (session_) r.session = *session_;
    r.last_used = FromMillis(last_used_ms_.load(std::memory_order_relaxed));
    r.needs_support = needs_support_;
    r.support_message = support_message();
    r.earlier_expiries = earlier_expiries_;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto saved = o_->store->Save(account_, r, version_);
      if (saved.ok()) {
        version_ = *saved;
        if (save_pending_) log::Info("store_save_recovered", {{"account", account_}});
        save_pending_ = false;
        save_delay_ = {};
        return;
      }
      if (saved.error().code != ErrorCode::kAborted) {
        SaveFailed(saved.error().ToString());
        return;
      }
      // Someone wrote since we read; we hold the newest session (or the lease
      // expired under us): write over their version once.
      auto again = o_->store->Load(account_);
      if (!again.ok()) break;
      version_ = *again ? (*again)->version : 0;
    }
    SaveFailed("lost the compare-and-swap twice");
  }

  // A record that could not be written (a full disk, Redis away) is written
  // again at growing intervals until it is: meanwhile a restart would lose
  // the session, and the other agents of a fleet do not see it.
  void SaveFailed(const std::string& error) {
    save_pending_ = true;
    save_delay_ = std::clamp<Duration>(save_delay_ * 2, kSaveRetryFirst, kSaveRetryLongest);
    save_retry_at_ = o_->clock->Now() + save_delay_;
    log::Error("store_save_failed",
               {{"account", account_},
                {"error", error},
                {"retry_in_seconds", std::chrono::duration_cast<std::chrono::seconds>(save_delay_).count()}});
  }

  void RetrySaveIfDue(TimePoint now) {
    if (!save_pending_ || now < save_retry_at_) return;
    // What the store holds first: a newer session (another agent's) is
    // adopted, not overwritten by ours.
    uint64_t ours = generation();
    Adopt(LoadRecord(), false);
    if (generation() != ours) {
      save_pending_ = false;
      save_delay_ = {};
      return;
    }
    SaveRecord();
  }

  // ---- waiters ---------------------------------------------------------

  asio::awaitable<Result<SessionPtr>> OnStrand(Ask ask, uint64_t generation, Duration timeout) {
    // Keeps this manager alive while Wait() runs. Named locals, not
    // temporaries, in the co_await: GCC 12 destroys some temporaries of a
    // co_await expression twice.
    auto self = shared_from_this();
    asio::awaitable<Outcome> wait = Wait(ask, generation, timeout);
    Outcome o = co_await asio::co_spawn(strand_, std::move(wait), asio::use_awaitable);
    co_return ToResult(std::move(o));
  }

  // Runs on the strand.
  asio::awaitable<Outcome> Wait(Ask ask, uint64_t generation, Duration timeout) {
    uint64_t failures_seen = failed_count_;
    uint64_t floor = 0;
    bool wake = false;
    if (ask == Ask::kNewerThan) {
      floor = generation;
      if (session_ && session_->generation == generation && !current_rejected_) {
        // Proven rejected upstream: stop handing it out, authorize again.
        current_rejected_ = true;
        reauth_requested_ = true;
        cell_.Set(nullptr);
        log::Info("invalidated", {{"account", account_}, {"generation", generation}});
        wake = true;
      }
    } else if (ask == Ask::kOperator) {
      floor = this->generation();
      operator_requested_ = true;
      log::Info("operator_authorize", {{"account", account_}});
      wake = true;
    }
    if (wake) {
      WakeScheduler();
      PublishStatus();
    }
    auto deadline = std::chrono::steady_clock::now() + ToSteady(timeout);
    asio::steady_timer waiter(strand_);
    while (true) {
      TimePoint now = o_->clock->Now();
      if (stopped_) co_return Outcome{nullptr, MakeError(ErrorCode::kUnavailable, "tokenwarden is stopping")};
      if (Valid(session_, now) && !current_rejected_ && session_->generation > floor) {
        co_return Outcome{session_, std::nullopt};
      }
      bool operator_pending = ask == Ask::kOperator && operator_requested_;
      if ((needs_support_ || failed_) && !operator_pending) {
        co_return Outcome{nullptr, MakeError(ErrorCode::kFailedPrecondition, support_message())};
      }
      if (failed_count_ > failures_seen) {
        co_return Outcome{nullptr, MakeError(ErrorCode::kUnavailable,
                                             session::UnavailableMessage(account_, last_error(),
                                                                         backoff_until_, now))};
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        if (!last_error().code.empty() && failures_ > 0) {
          co_return Outcome{nullptr, MakeError(ErrorCode::kUnavailable,
                                               session::UnavailableMessage(account_, last_error(),
                                                                           backoff_until_, now))};
        }
        co_return Outcome{nullptr, MakeError(ErrorCode::kDeadlineExceeded,
                                             session::NotYetMessage(account_, AccountStateName(state_),
                                                                    published_due_ ? next_due_ : now, now))};
      }
      waiter.expires_at(deadline);
      waiters_.push_back(&waiter);
      boost::system::error_code ec;
      co_await waiter.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      std::erase(waiters_, &waiter);
    }
  }

  void NotifyWaiters() {
    for (asio::steady_timer* w : waiters_) w->cancel();
  }

  // ---- status ----------------------------------------------------------

  void PublishStatus() {
    TimePoint now = o_->clock->Now();
    bool waiting = state_ == AccountState::kBackoff || state_ == AccountState::kUnauthorized;
    session::PublishedStatus p;
    p.session = session_;
    p.problem = problem_;
    p.generation = generation();
    p.next_due = next_due_;
    p.retry_due = waiting && next_due_ != TimePoint{};
    p.attempt_due = published_due_ && next_due_ != TimePoint::max();
    p.failures = failures_;
    p.ok = ok_;
    p.failed = failed_count_;
    p.adopted = adopted_;
    p.live_sessions = static_cast<int>(session::LiveExpiries(Schedule(), now).size());
    p.state = state_;
    board_.Publish(std::move(p));
  }

  void WarnIfInactive(TimePoint now) {
    long long used = last_used_ms_.load(std::memory_order_relaxed);
    if (used == 0) return;
    Duration idle = now - FromMillis(used);
    if (idle < o_->inactivity_warning) return;
    auto day = std::chrono::duration_cast<std::chrono::hours>(idle).count() / 24;
    if (day == warned_day_) return;
    warned_day_ = day;
    auto left = std::chrono::duration_cast<std::chrono::hours>(o_->inactivity_limit - idle).count() / 24;
    log::Warn("inactive", {{"account", account_}, {"days_unused", day}, {"days_left", std::max<long long>(left, 0)}});
  }

  using Problem = session::Problem;
  const Verdict& last_error() const {
    static const Verdict kNone;
    return problem_ ? problem_->error : kNone;
  }
  const std::string& support_message() const {
    static const std::string kNone;
    return problem_ ? problem_->support : kNone;
  }
  void SetLastError(Verdict error) { SetProblem(std::move(error), support_message()); }
  void SetSupportMessage(std::string support) { SetProblem(last_error(), std::move(support)); }
  void SetProblem(Verdict error, std::string support) {
    if (error.code.empty() && error.message.empty() && support.empty()) {
      problem_ = nullptr;
    } else {
      problem_ = std::make_shared<const Problem>(Problem{std::move(error), std::move(support)});
    }
  }

  const std::string account_;
  const std::shared_ptr<Provider> provider_;
  const int max_live_sessions_;
  const std::shared_ptr<const session::SharedOptions> o_;  // holder_id filled in by Create()
  const std::shared_ptr<const StrandPool> strands_;
  const Strand& strand_;  // one of strands_', shared with other managers
  session::SessionCell cell_;
  std::atomic<long long> last_used_ms_{0};

  // Strand-only state.
  asio::steady_timer* sleeping_ = nullptr;  // an attempt's SleepReal, while it sleeps
  JitterRng rng_;
  SessionPtr session_;           // the newest session, even if rejected or expired
  uint64_t generation_floor_ = 0;
  uint64_t version_ = 0;         // of the stored record we last read or wrote
  std::vector<TimePoint> earlier_expiries_;
  AccountState state_ = AccountState::kUnauthorized;
  bool stopped_ = false;
  bool store_changed_ = false;
  uint64_t store_generation_ = 0;  // the newest generation seen in the store
  bool current_rejected_ = false;
  bool reauth_requested_ = false;
  bool operator_requested_ = false;
  bool needs_support_ = false;
  bool failed_ = false;
  int failures_ = 0;             // consecutive transient failures
  TimePoint backoff_until_{};
  bool save_pending_ = false;    // the last save failed; retried at save_retry_at_
  Duration save_delay_{};
  TimePoint save_retry_at_{};
  TimePoint next_due_{};         // the next attempt, as last planned
  bool published_due_ = false;   // next_due_ is current (cleared by each attempt)
  // The last error and the support message: rare, so one shared block, null
  // when there is neither (a Verdict and a string were 112 B an account).
  std::shared_ptr<const Problem> problem_;
  uint64_t ok_ = 0;
  uint64_t failed_count_ = 0;
  uint64_t adopted_ = 0;
  long long warned_day_ = -1;
  std::vector<asio::steady_timer*> waiters_;

  session::StatusBoard board_;  // what Status() reports, as of the last PublishStatus()
};

Status Check(const TokenManagerOptions& o) {
  auto bad = [&](const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument, "token manager for '" + o.account + "': " + what);
  };
  if (o.account.empty()) return MakeError(ErrorCode::kInvalidArgument, "token manager: account is empty");
  if (!o.provider) return bad("provider is missing");
  if (!o.clock) return bad("clock is missing");
  if (o.max_live_sessions < 0) return bad("max_live_sessions is negative");
  if (o.backoff_initial <= Duration::zero() || o.backoff_max < o.backoff_initial) {
    return bad("backoff_initial must be positive and at most backoff_max");
  }
  if (o.lease_ttl <= Duration::zero()) return bad("lease_ttl must be positive");
  if (o.follower_poll <= Duration::zero()) return bad("follower_poll must be positive");
  if (o.clock_check_every <= Duration::zero()) return bad("clock_check_every must be positive");
  return OkStatus();
}

}  // namespace

std::string_view AccountStateName(AccountState state) {
  switch (state) {
    case AccountState::kUnauthorized: return "unauthorized";
    case AccountState::kAuthorizing: return "authorizing";
    case AccountState::kActive: return "active";
    case AccountState::kRefreshing: return "refreshing";
    case AccountState::kBackoff: return "backoff";
    case AccountState::kNeedsSupport: return "needs_support";
    case AccountState::kFailed: return "failed";
  }
  return "unknown";
}

Result<std::shared_ptr<TokenManager>> TokenManager::Create(TokenManagerOptions options,
                                                           boost::asio::any_io_executor executor) {
  TW_RETURN_IF_ERROR(Check(options));
  if (options.holder_id.empty()) options.holder_id = session::RandomHolderId();
  return std::shared_ptr<TokenManager>(
      std::make_shared<TokenManagerImpl>(std::move(options), std::move(executor)));
}

}  // namespace tokenwarden
