// TokenManagerImpl: the TokenManager behind TokenManager::Create. One class
// whose jobs live in files of their own, each defining its members:
//   token_manager.cc  the public methods, the scheduler's turns and the
//                     orchestration of one attempt (lease, authorize, verdict);
//   record_sync.cc    the stored record: load, adopt, save, retry, lease release;
//   waiters.cc        callers waiting for a session (WaitForSession,
//                     Invalidate, AuthorizeNow).
// The policy the scheduler follows is session/schedule.h (pure functions);
// the status readers see is session/status_board.h; the memory shared by
// all managers is session/shared_options.h and session/strand_pool.h.
//
// Thread-safety: the public methods may be called from any thread. Every
// other member function runs on strand_ (REQUIRES: on strand_), and so does
// every access to the strand-only state below; cell_, last_used_ms_ and
// board_ are what other threads read.
#ifndef TOKENWARDEN_SESSION_TOKEN_MANAGER_IMPL_H_
#define TOKENWARDEN_SESSION_TOKEN_MANAGER_IMPL_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "session/alarm_queue.h"
#include "session/schedule.h"
#include "session/session_cell.h"
#include "session/shared_options.h"
#include "session/status_board.h"
#include "session/strand_pool.h"
#include "tokenwarden/jitter_rng.h"
#include "tokenwarden/token_manager.h"

namespace tokenwarden::session {

namespace asio = boost::asio;
using SessionPtr = std::shared_ptr<const Session>;

// What a waiter asked for.
enum class Ask { kAnySession, kNewerThan, kOperator };

// A waiter's answer. co_spawn in Boost 1.74 wants a default-constructible
// result, which Result<SessionPtr> is not.
struct Outcome {
  SessionPtr session;
  std::optional<Error> error;
};

inline std::chrono::steady_clock::duration ToSteady(Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
}

class TokenManagerImpl final : public TokenManager,
                               private AlarmQueue::Alarm,
                               public std::enable_shared_from_this<TokenManagerImpl> {
 public:
  // REQUIRES: `options` passed TokenManager::Create's checks, holder_id set.
  TokenManagerImpl(TokenManagerOptions options, boost::asio::any_io_executor executor);

  // Nothing holds a sleeping manager alive but its owners.
  ~TokenManagerImpl() override { strands_->alarms().Cancel(*this); }

  void Start(std::function<void(bool restored)> started) override;
  void Stop() override;
  const std::string& account() const override { return account_; }
  const Provider& provider() const override { return *provider_; }
  SessionPtr current() const override;
  bool Serving() const override { return Serving(o_->clock->Now()); }
  bool Serving(TimePoint now) const override { return cell_.ValidAt(now); }
  asio::awaitable<Result<SessionPtr>> WaitForSession(Duration timeout) override;
  asio::awaitable<Result<SessionPtr>> Invalidate(uint64_t generation, Duration timeout) override;
  asio::awaitable<Result<SessionPtr>> AuthorizeNow(Duration timeout) override;
  void RecordUse() override;
  void Wake() override;
  void StoreChanged() override;
  AccountStatus Status() const override;

 private:
  static long long ToMillis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  static TimePoint FromMillis(long long ms) { return TimePoint(std::chrono::milliseconds(ms)); }
  bool Valid(const SessionPtr& s, TimePoint now) const { return s && now < s->expires_at; }
  uint64_t generation() const { return session_ ? session_->generation : generation_floor_; }

  // ---- the scheduler and one attempt (token_manager.cc) ----------------
  // One turn, on the strand: authorize if due, else sleep until due. A
  // sleeping account holds an alarm in its strand pool's queue, not a
  // coroutine frame (about 1.5 KiB each, which 100,000 accounts would
  // feel) nor a timer of its own (about 300 B with its wait); a coroutine
  // lives only for an attempt. Each turn ends by scheduling the next.
  void Step();

  // The sleep between turns is over (on the alarm queue's thread).
  void Ring() override;

  // On the strand: ends the sleep between turns, or an attempt's, now.
  void WakeScheduler();

  // `placed`: holding a place of o_->authorization_limit, given back when
  // the attempt ends.
  void SpawnAttempt(bool placed);
  void EndTurn();

  // An exception escaped an attempt: this account's scheduler stops.
  void Halt(std::exception_ptr e);

  // A view of the strand-only state for the schedule's pure functions.
  session::ScheduleState Schedule() const;

  // Nothing to serve and nothing to do before `due` (a session limit, a
  // backoff): say so, so that status readers see why.
  void ShowWaiting(TimePoint due, TimePoint now);

  // The real time to sleep until `due`. Clocks move in ways a timer cannot
  // see: a jump of one that tells real time (a wall-clock step, an
  // OffsetClock's advance) rings every alarm (AlarmQueue::Watch, set up in
  // the constructor), and a clock that cannot tell real time (a ManualClock)
  // is polled (session::SleepFor).
  Duration SleepFor(TimePoint due, TimePoint now) const { return session::SleepFor(due, now, *o_->clock); }
  // An attempt's sleep of `real` time; WakeScheduler ends it early.
  asio::awaitable<void> SleepReal(Duration real);

  // One attempt: the lease (with a store), the provider's Authorize, and
  // its verdict applied (Succeed or Fail). `placed`: see SpawnAttempt.
  asio::awaitable<void> Attempt(bool placed);
  bool NeedsAuthorization(TimePoint now) const { return session::NeedsAuthorization(Schedule(), now); }
  void DropSession();
  void Succeed(Session s, TimePoint now);
  void Fail(const Verdict& verdict, TimePoint now);

  // ---- the stored record and the lease (record_sync.cc) ----------------
  // The stored record, or none (no store, nothing stored, or the store
  // failed: logged).
  std::optional<VersionedRecord> LoadRecord();

  // Takes what the store knows that we do not: a newer session (made by
  // another process, or before a restart), needs_support, last use.
  // Returns whether it took a valid session.
  bool Adopt(std::optional<VersionedRecord> loaded, bool at_start);

  // Writes the record (compare-and-swap, once more over a newer version).
  // Without a store, does nothing.
  void SaveRecord();

  // A record that could not be written (a full disk, Redis away) is written
  // again at growing intervals until it is: meanwhile a restart would lose
  // the session, and the other agents of a fleet do not see it.
  void SaveFailed(const std::string& error);
  void RetrySaveIfDue(TimePoint now);

  // REQUIRES: a store, and this process holds the account's lease.
  void ReleaseLease();

  // ---- waiters (waiters.cc) ---------------------------------------------
  // Any thread: runs Wait on the strand, keeping this manager alive.
  asio::awaitable<Result<SessionPtr>> OnStrand(Ask ask, uint64_t generation, Duration timeout);

  // Until a session newer than the ask, a failure, stop or `timeout`.
  asio::awaitable<Outcome> Wait(Ask ask, uint64_t generation, Duration timeout);
  // Wakes every Wait to look again.
  void NotifyWaiters();

  // ---- status (token_manager.cc; readers: status_board.h) --------------
  void PublishStatus();
  void WarnIfInactive(TimePoint now);
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
  void SetProblem(Verdict error, std::string support);

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

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_TOKEN_MANAGER_IMPL_H_
