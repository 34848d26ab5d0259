#include "tokenwarden/token_manager.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <random>
#include <vector>

#include "session/backoff.h"
#include "session/failure_texts.h"
#include "session/authorization_limit.h"
#include "session/schedule.h"
#include "session/token_manager_impl.h"
#include "util/log.h"
#include "util/time_format.h"

namespace tokenwarden::session {
namespace {

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

}  // namespace

TokenManagerImpl::TokenManagerImpl(TokenManagerOptions options, asio::any_io_executor executor)
    : account_(std::move(options.account)),
      provider_(std::move(options.provider)),
      max_live_sessions_(options.max_live_sessions),
      o_(session::InternSharedOptions(options)),
      strands_(StrandPool::For(executor)),
      strand_(strands_->Next()),
      rng_(static_cast<JitterRng::result_type>(options.seed ? options.seed : JitterSeed())) {
  strands_->alarms().Watch(o_->clock, o_->clock_check_every);
}

void TokenManagerImpl::Start(std::function<void(bool restored)> started) {
  asio::post(strand_, [self = shared_from_this(), started = std::move(started)] {
    bool restored = self->o_->store && self->Adopt(self->LoadRecord(), /*at_start=*/true);
    self->PublishStatus();
    self->Step();
    if (started) started(restored);
  });
}

void TokenManagerImpl::Stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->WakeScheduler();
    self->NotifyWaiters();
  });
}

SessionPtr TokenManagerImpl::current() const {
  SessionPtr s = cell_.Get();
  if (s && o_->clock->Now() < s->expires_at) return s;
  return nullptr;
}

asio::awaitable<Result<SessionPtr>> TokenManagerImpl::WaitForSession(Duration timeout) {
  if (SessionPtr s = current()) co_return s;
  co_return co_await OnStrand(Ask::kAnySession, 0, timeout);
}

asio::awaitable<Result<SessionPtr>> TokenManagerImpl::Invalidate(uint64_t generation, Duration timeout) {
  SessionPtr s = current();
  if (s && s->generation > generation) co_return s;  // already replaced
  co_return co_await OnStrand(Ask::kNewerThan, generation, timeout);
}

asio::awaitable<Result<SessionPtr>> TokenManagerImpl::AuthorizeNow(Duration timeout) {
  co_return co_await OnStrand(Ask::kOperator, 0, timeout);
}

void TokenManagerImpl::RecordUse() {
  // Called on every proxied request, from every server thread: a store
  // each time would move the line between the cores; within a millisecond
  // the value is already there.
  const long long now = ToMillis(o_->clock->Now());
  if (last_used_ms_.load(std::memory_order_relaxed) != now) last_used_ms_.store(now, std::memory_order_relaxed);
}

void TokenManagerImpl::Wake() {
  asio::post(strand_, [self = shared_from_this()] { self->WakeScheduler(); });
}

void TokenManagerImpl::StoreChanged() {
  asio::post(strand_, [self = shared_from_this()] {
    self->store_changed_ = true;
    self->WakeScheduler();
  });
}

AccountStatus TokenManagerImpl::Status() const {
  long long used = last_used_ms_.load(std::memory_order_relaxed);
  return session::ToAccountStatus(board_.Read(), account_, provider_->name(),
                                  used != 0 ? std::optional<TimePoint>(FromMillis(used)) : std::nullopt);
}

// One turn, on the strand: authorize if due, else sleep until due. A
// sleeping account holds an alarm in its strand pool's queue, not a
// coroutine frame (about 1.5 KiB each, which 100,000 accounts would
// feel) nor a timer of its own (about 300 B with its wait); a coroutine
// lives only for an attempt. Each turn ends by scheduling the next.
void TokenManagerImpl::Step() {
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
void TokenManagerImpl::Ring() {
  if (auto self = weak_from_this().lock()) asio::post(strand_, [self = std::move(self)] { self->EndTurn(); });
}

// On the strand: ends the sleep between turns, or an attempt's, now.
void TokenManagerImpl::WakeScheduler() {
  if (strands_->alarms().Cancel(*this)) {
    asio::post(strand_, [self = shared_from_this()] { self->EndTurn(); });
  } else if (sleeping_) {
    sleeping_->cancel();
  }
}

// `placed`: holding a place of o_->authorization_limit, given back when
// the attempt ends.
void TokenManagerImpl::SpawnAttempt(bool placed) {
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

void TokenManagerImpl::EndTurn() {
  WarnIfInactive(o_->clock->Now());
  Step();
}

// An exception escaped an attempt: this account's scheduler stops.
void TokenManagerImpl::Halt(std::exception_ptr e) {
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
session::ScheduleState TokenManagerImpl::Schedule() const {
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
void TokenManagerImpl::ShowWaiting(TimePoint due, TimePoint now) {
  AccountState want = session::WaitingState(state_, session::Serving(Schedule(), now));
  if (want != state_ || next_due_ != due || !published_due_) {
    published_due_ = true;
    state_ = want;
    next_due_ = due;
    PublishStatus();
  }
}

asio::awaitable<void> TokenManagerImpl::SleepReal(Duration real) {
  asio::steady_timer timer(strand_.get_inner_executor());
  timer.expires_after(ToSteady(real));
  sleeping_ = &timer;
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  sleeping_ = nullptr;
}

asio::awaitable<void> TokenManagerImpl::Attempt(bool placed) {
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
  // provider.h: failures are verdicts; whatever escapes anyway is a
  // transient failure, so that one faulty provider never stops the account's
  // scheduler (nor, through it, the agent's other accounts).
  try {
    result = co_await provider_->Authorize();
  } catch (const std::exception& e) {
    result.verdict = Verdict{Action::kRetryLater, "internal", e.what(), {}};
  } catch (...) {
    result.verdict = Verdict{Action::kRetryLater, "internal", "the provider threw a non-standard exception", {}};
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

void TokenManagerImpl::DropSession() {
  if (session_) generation_floor_ = std::max(generation_floor_, session_->generation);
  session_.reset();
  cell_.Set(nullptr);
}

void TokenManagerImpl::Succeed(Session s, TimePoint now) {
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

void TokenManagerImpl::Fail(const Verdict& verdict, TimePoint now) {
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

void TokenManagerImpl::PublishStatus() {
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

void TokenManagerImpl::WarnIfInactive(TimePoint now) {
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

void TokenManagerImpl::SetProblem(Verdict error, std::string support) {
  if (error.code.empty() && error.message.empty() && support.empty()) {
    problem_ = nullptr;
  } else {
    problem_ = std::make_shared<const Problem>(Problem{std::move(error), std::move(support)});
  }
}

}  // namespace tokenwarden::session

namespace tokenwarden {
namespace {

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
      std::make_shared<session::TokenManagerImpl>(std::move(options), std::move(executor)));
}

}  // namespace tokenwarden
