#include "session/status_board.h"

#include <utility>

#include "util/striped_mutex.h"

namespace tokenwarden::session {

std::mutex& StatusBoard::Mutex() const { return StripedMutex(this); }

void StatusBoard::Publish(PublishedStatus p) {
  std::lock_guard lock(Mutex());
  published_ = std::move(p);
}

PublishedStatus StatusBoard::Read() const {
  std::lock_guard lock(Mutex());
  return published_;
}

AccountStatus ToAccountStatus(const PublishedStatus& p, const std::string& account, std::string_view provider,
                              std::optional<TimePoint> last_used) {
  AccountStatus out;
  out.account = account;
  out.provider = std::string(provider);
  out.state = p.state;
  out.generation = p.generation;
  if (p.session) {
    out.issued_at = p.session->issued_at;
    out.expires_at = p.session->expires_at;
    out.refresh_at = p.session->refresh_at;
  }
  if (p.retry_due) out.next_retry = p.next_due;
  if (p.attempt_due) out.next_attempt = p.next_due;
  out.consecutive_failures = p.failures;
  if (p.problem) {
    out.last_error_code = p.problem->error.code;
    out.last_error_message = p.problem->error.message;
    out.support_message = p.problem->support;
  }
  out.authorizations_ok = p.ok;
  out.authorizations_failed = p.failed;
  out.sessions_adopted = p.adopted;
  out.live_sessions = p.live_sessions;
  out.last_used = last_used;
  return out;
}

}  // namespace tokenwarden::session
