// TokenManagerImpl's waiters: callers of WaitForSession, Invalidate and
// AuthorizeNow wait on the strand for a session newer than what they had,
// a failure, or their timeout. See token_manager_impl.h.
#include "session/token_manager_impl.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "session/failure_texts.h"
#include "util/log.h"

namespace tokenwarden::session {
namespace {

Result<SessionPtr> ToResult(Outcome o) {
  if (o.error) return std::move(*o.error);
  return std::move(o.session);
}

}  // namespace

asio::awaitable<Result<SessionPtr>> TokenManagerImpl::OnStrand(Ask ask, uint64_t generation, Duration timeout) {
  // Keeps this manager alive while Wait() runs. Named locals, not
  // temporaries, in the co_await: GCC 12 destroys some temporaries of a
  // co_await expression twice.
  auto self = shared_from_this();
  asio::awaitable<Outcome> wait = Wait(ask, generation, timeout);
  Outcome o = co_await asio::co_spawn(strand_, std::move(wait), asio::use_awaitable);
  co_return ToResult(std::move(o));
}

// Runs on the strand.
asio::awaitable<Outcome> TokenManagerImpl::Wait(Ask ask, uint64_t generation, Duration timeout) {
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

void TokenManagerImpl::NotifyWaiters() {
  for (asio::steady_timer* w : waiters_) w->cancel();
}

}  // namespace tokenwarden::session
