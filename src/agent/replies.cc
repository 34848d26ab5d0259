#include "agent/replies.h"

#include <algorithm>

namespace tokenwarden::agent {

http::Response ErrorResponse(int status, std::string_view code, std::string_view message, std::string_view account) {
  nlohmann::json body = {{"error", code}, {"message", message}};
  if (!account.empty()) body["account"] = account;
  http::Response r = http::Response::Json(status, body);
  r.Header("Cache-Control", "no-store");
  return r;
}

long long RetryAfterSeconds(const AccountRuntime& account, const Clock& clock) {
  TimePoint now = clock.Now();
  AccountStatus s = account.manager->Status();
  long long retry = 1;
  if (s.next_retry && *s.next_retry > now) {
    Duration real = clock.RealDuration(*s.next_retry - now);
    retry = std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(real).count());
  }
  return std::min(retry, 300LL);
}

http::Response NoSessionResponse(const AccountRuntime& account, const Error& error, const Clock& clock) {
  const std::string& id = account.id;
  AccountStatus s = account.manager->Status();
  if (s.state == AccountState::kNeedsSupport) return ErrorResponse(503, "needs_support", error.message, id);
  if (s.state == AccountState::kFailed) return ErrorResponse(503, "account_failed", error.message, id);
  http::Response r = error.code == ErrorCode::kUnavailable
                         ? ErrorResponse(503, "upstream_unavailable", error.message, id)
                         : ErrorResponse(503, "not_ready", error.message, id);
  r.Header("Retry-After", std::to_string(RetryAfterSeconds(account, clock)));
  return r;
}

}  // namespace tokenwarden::agent
