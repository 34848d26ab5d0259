// What a TokenManager last published of its state, for the status page,
// metrics and operators, read from any thread without touching the
// manager's strand-only state.
#ifndef TOKENWARDEN_SESSION_STATUS_BOARD_H_
#define TOKENWARDEN_SESSION_STATUS_BOARD_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "tokenwarden/clock.h"
#include "tokenwarden/provider.h"
#include "tokenwarden/session.h"
#include "tokenwarden/token_manager.h"

namespace tokenwarden::session {

// The last failed authorization's error and, in needs_support or failed,
// what to do. Rare, so one shared immutable block, null when there is
// neither (a Verdict and a string were 112 B an account).
struct Problem {
  Verdict error;        // the last failed authorization's
  std::string support;  // needs_support / failed: what to do
};

// Kept compact (an AccountStatus is about 310 B, which 100,000 accounts
// feel): the account and provider come from the manager, the times from the
// session.
struct PublishedStatus {
  std::shared_ptr<const Session> session;
  std::shared_ptr<const Problem> problem;  // null: no error and no support message
  uint64_t generation = 0;
  TimePoint next_due{};
  uint64_t ok = 0;
  uint64_t failed = 0;
  uint64_t adopted = 0;
  int failures = 0;
  int live_sessions = 0;
  AccountState state = AccountState::kUnauthorized;
  bool retry_due = false;    // next_due is the next retry
  bool attempt_due = false;  // next_due is the next attempt as planned
};

// One account's last published status.
// Thread-safety: every method may be called from any thread. The lock is
// one of a striped set (a mutex each was 40 B an account), held only to
// copy; the hot path (TokenManager::current) never takes it.
class StatusBoard {
 public:
  void Publish(PublishedStatus p);
  PublishedStatus Read() const;

 private:
  std::mutex& Mutex() const;
  PublishedStatus published_;
};

// The snapshot of `p` for readers. `last_used`: the account's last use,
// none if never used.
AccountStatus ToAccountStatus(const PublishedStatus& p, const std::string& account, std::string_view provider,
                              std::optional<TimePoint> last_used);

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_STATUS_BOARD_H_
