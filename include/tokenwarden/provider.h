// Provider: one upstream's authorization rules. Alliance Bank and Nova Post
// are providers; a generic OAuth2 client-credentials provider fits the same
// interface. One Provider instance serves one account (it holds the account's
// configuration and credentials).
#ifndef TOKENWARDEN_PROVIDER_H_
#define TOKENWARDEN_PROVIDER_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"
#include "tokenwarden/session.h"

namespace tokenwarden {

// What to do about an upstream answer.
enum class Action {
  kOk,            // success; use the answer
  kReauthorize,   // the session was rejected: authorize again, retry once
  kRetryLater,    // transient (overload, 5xx, timeout): back off, keep the session
  kNeedsSupport,  // Alliance b_auth_token_expired: stop until an operator acts
  kFatal,         // configuration error (unknown key, 422): stop, report
  kPassThrough,   // an application-level answer; not ours to judge
};

std::string_view ActionName(Action action);

struct Verdict {
  Action action = Action::kOk;
  std::string code;     // upstream msgCode, or "http_401", "timeout", "bad_jwe", ...
  std::string message;  // for a human; never contains a secret
  Duration retry_after{};  // kRetryLater: the upstream's Retry-After, or zero
};

struct UpstreamResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct AuthorizeResult {
  std::optional<Session> session;  // set iff verdict.action == kOk
  Verdict verdict;
};

// Thread-safety: Authorize() is called by one refresher at a time per
// account; the const methods may be called from any thread concurrently.
class Provider {
 public:
  virtual ~Provider() = default;

  virtual std::string_view name() const = 0;

  // Authorizes upstream. On success the session carries headers, issued_at,
  // expires_at and upstream_state; account/generation/refresh_at are filled
  // in by the TokenManager. Every failure should be answered as a verdict,
  // not thrown. Anything that escapes anyway (a bug, bad_alloc, a thrown
  // non-std type) is taken by the TokenManager as a transient failure with
  // code "internal" (backoff and retry, the old session served while valid):
  // it never stops the account's scheduler. A std::exception's what() becomes
  // the verdict's message, shown on the status page and in the log, so it
  // must hold no secret.
  virtual boost::asio::awaitable<AuthorizeResult> Authorize() = 0;

  // When `session` should be refreshed: at the latest the provider's policy
  // (Alliance refresh_every, 12 h by default; Nova Post exp - max(5 min,
  // 10 %)), and at most a third of that period earlier, where the account's
  // phase falls (the built-in providers use providers/refresh_plan.h's
  // SpreadRefresh), so that many accounts do not refresh in the same second.
  virtual TimePoint PlanRefresh(const Session& session) const = 0;

  // Classifies an answer to an authorized API call.
  virtual Verdict Classify(const UpstreamResponse& response) const = 0;

  // Appends to `out` the headers for one upstream request: the session's,
  // plus per-request ones (Alliance: a fresh x-request_id).
  virtual void AppendRequestHeaders(const Session& session,
                                    std::vector<std::pair<std::string, std::string>>& out) const = 0;

  // Drop-in mode (a client that authorizes by itself is answered from the
  // account's session): whether `presented` is this account's credential
  // (Alliance: the serviceCode; Nova Post: the API key), compared in
  // constant time. The default: no credential is the account's.
  virtual bool HasCredential(std::string_view /*presented*/) const { return false; }
  // The body the upstream's own authorization call answers with, made from
  // `session`: Alliance {"jwe": ...} encrypted to the merchant's key, so that
  // only its holder reads it, as from the bank; Nova Post {"jwt": ...}. An
  // error (never holding a secret) when the provider cannot make one.
  virtual Result<std::string> AuthorizationAnswer(const Session& /*session*/) const {
    return MakeError(ErrorCode::kUnsupported, std::string(name()) + " accounts cannot answer an authorization");
  }

  // The same, as a list of their own.
  std::vector<std::pair<std::string, std::string>> RequestHeaders(const Session& session) const {
    std::vector<std::pair<std::string, std::string>> out;
    AppendRequestHeaders(session, out);
    return out;
  }
};

}  // namespace tokenwarden

#endif  // TOKENWARDEN_PROVIDER_H_
