// TokenManager: keeps one account's upstream session alive, so that
// applications never authorize per request.
//
//   unauthorized -> authorizing -> active -> refreshing -> active
//                          \-> backoff (transient failure; the valid session
//                              keeps being served)
//                          \-> needs_support (Alliance b_auth_token_expired:
//                              no automatic authorization until an operator
//                              calls AuthorizeNow)
//                          \-> failed (configuration error: likewise)
//
// One coroutine per manager, on its own strand, makes every authorization:
// refreshes are single-flight by construction. Readers never wait for it.
#ifndef TOKENWARDEN_TOKEN_MANAGER_H_
#define TOKENWARDEN_TOKEN_MANAGER_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tokenwarden/clock.h"
#include "tokenwarden/provider.h"
#include "tokenwarden/result.h"
#include "tokenwarden/session.h"
#include "tokenwarden/session_store.h"

namespace tokenwarden {

// At most a number of authorizations under way at once, shared by the
// managers of one agent (TokenManagerOptions::authorization_limit). Opaque:
// made by MakeAuthorizationLimit, used only by the managers.
class AuthorizationLimit;
// REQUIRES: max >= 1.
std::shared_ptr<AuthorizationLimit> MakeAuthorizationLimit(int max);

enum class AccountState {
  kUnauthorized,
  kAuthorizing,
  kActive,
  kRefreshing,
  kBackoff,
  kNeedsSupport,
  kFailed,
};

// "unauthorized", "authorizing", "active", "refreshing", "backoff",
// "needs_support", "failed".
std::string_view AccountStateName(AccountState state);

// How long past its expiry a token still counts as alive upstream, for
// session limits: the upstream counts from its receipt of our request.
inline constexpr Duration kLiveMargin = std::chrono::seconds(5);

struct TokenManagerOptions {
  std::string account;
  std::shared_ptr<Provider> provider;
  std::shared_ptr<Clock> clock;
  // Where the account's record survives restarts and how processes sharing
  // it agree on one authorizer. Null: memory only.
  std::shared_ptr<SessionStore> store;

  // At most this many tokens of the account alive upstream at once, counting
  // the current one and earlier ones not yet expired (Nova Post limits
  // sessions per key). 0: no limit. A limit of 1 means a new token can only
  // be made once the current one has expired (plus kLiveMargin): readers
  // wait for it, so 2 is the smallest limit without a gap.
  int max_live_sessions = 0;

  // Backoff after a transient failure: full jitter, uniform in
  // [0, min(backoff_max, backoff_initial * 2^(n-1))] after the n-th failure,
  // and never sooner than the upstream's Retry-After. Clock time.
  Duration backoff_initial = std::chrono::seconds(1);
  Duration backoff_max = std::chrono::minutes(5);

  // Leases (fleet): this process's holder id (default: random) and how long
  // a lease lives in real time if its holder dies mid-authorization.
  std::string holder_id;
  Duration lease_ttl = std::chrono::seconds(30);
  // Real time between looks at the store while another holder authorizes.
  Duration follower_poll = std::chrono::milliseconds(250);
  // Real time between looks at the clock for a jump (the wall clock stepped,
  // an OffsetClock advanced) while accounts sleep; a jump wakes every
  // sleeping account at once. Between jumps an account sleeps until its next
  // step is due (an hour at most).
  Duration clock_check_every = std::chrono::minutes(1);

  // Inactivity (Alliance closes access after 200 days unused).
  Duration inactivity_warning = std::chrono::hours(24 * 180);
  Duration inactivity_limit = std::chrono::hours(24 * 200);

  // Seeds the jitter; 0 draws one from the system.
  uint64_t seed = 0;

  // Shared by the managers of one agent: authorizations under way at once
  // (taken before the lease and the upstream call), so that thousands of
  // accounts starting together neither exhaust descriptors nor flood the
  // upstream. Null: no limit.
  std::shared_ptr<AuthorizationLimit> authorization_limit;
};

// A snapshot for the status page, metrics and operators. No secret in it.
struct AccountStatus {
  std::string account;
  std::string provider;
  AccountState state = AccountState::kUnauthorized;
  uint64_t generation = 0;
  std::optional<TimePoint> issued_at;
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> refresh_at;
  std::optional<TimePoint> next_retry;    // backoff or no session: the next attempt
  std::optional<TimePoint> next_attempt;  // the next authorization as planned
                                          // (none: only on an operator's call)
  int consecutive_failures = 0;
  std::string last_error_code;     // a msgCode, "http_503", "timeout", ...
  std::string last_error_message;  // for a human
  std::optional<TimePoint> last_used;
  std::string support_message;     // needs_support / failed: what to do
  uint64_t authorizations_ok = 0;  // by this process
  uint64_t authorizations_failed = 0;
  uint64_t sessions_adopted = 0;   // made by another process, read from the store
  int live_sessions = 0;           // tokens of ours believed alive upstream
};

// Thread-safety: every public method may be called from any thread.
class TokenManager {
 public:
  // Fails when an option is missing or out of range (names it).
  static Result<std::shared_ptr<TokenManager>> Create(TokenManagerOptions options,
                                                      boost::asio::any_io_executor executor);
  virtual ~TokenManager() = default;

  // Loads the stored record (a valid stored session is served at once: a
  // restart does not re-authorize) and starts the scheduler. `started`, if
  // given, is called once after the load (on the manager's strand), with
  // whether a valid stored session was restored.
  virtual void Start(std::function<void(bool restored)> started) = 0;
  void Start() { Start(nullptr); }
  // Stops scheduling; an authorization in flight completes or is abandoned
  // with its executor. Waiters get kUnavailable.
  virtual void Stop() = 0;

  virtual const std::string& account() const = 0;
  virtual const Provider& provider() const = 0;

  // The hot path: the current session if it is valid now, else null. Never
  // an expired one. Lock-free: an atomic load and a thread-private reference
  // count, except on a thread's first read after a new session is published.
  virtual std::shared_ptr<const Session> current() const = 0;
  // Whether current() would answer a session now (at `now`, read from this
  // manager's clock by the caller), without taking a reference to it: for
  // asking every account in turn (readiness), with one clock read for all.
  virtual bool Serving() const = 0;
  virtual bool Serving(TimePoint now) const = 0;

  // Up to `timeout` (real time) for a valid session: at once when there is
  // one, else until the authorization under way succeeds. Errors:
  // kFailedPrecondition (needs support or a configuration error; the message
  // says what to do), kUnavailable (the upstream failed; the message says
  // why and when the next attempt is), kDeadlineExceeded.
  virtual boost::asio::awaitable<Result<std::shared_ptr<const Session>>> WaitForSession(
      Duration timeout) = 0;

  // A caller saw `generation` rejected upstream. Re-authorizes only if it is
  // still the current generation (a thousand callers reporting one bad token
  // cause one authorization), then returns the newer session, waiting for it
  // up to `timeout`.
  virtual boost::asio::awaitable<Result<std::shared_ptr<const Session>>> Invalidate(
      uint64_t generation, Duration timeout) = 0;

  // Operator: authorize now, also out of needs_support or failed (after the
  // bank's support reopened access, or the configuration was fixed).
  virtual boost::asio::awaitable<Result<std::shared_ptr<const Session>>> AuthorizeNow(
      Duration timeout) = 0;

  // The application used the account (for the inactivity rule). Lock-free.
  virtual void RecordUse() = 0;

  // The clock jumped (a test or the emulator moved it): look at the schedule
  // again now.
  virtual void Wake() = 0;

  // Another process changed the stored record (fleet pub/sub): read it.
  virtual void StoreChanged() = 0;

  virtual AccountStatus Status() const = 0;
};

}  // namespace tokenwarden

#endif  // TOKENWARDEN_TOKEN_MANAGER_H_
