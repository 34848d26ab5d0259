#include "providers/verdicts.h"

namespace tokenwarden::providers {

Verdict MakeVerdict(Action action, std::string code, std::string message) {
  Verdict v;
  v.action = action;
  v.code = std::move(code);
  v.message = std::move(message);
  return v;
}

AuthorizeResult AuthorizeFailed(Verdict verdict) {
  AuthorizeResult r;
  r.verdict = std::move(verdict);
  return r;
}

AuthorizeResult AuthorizeFailed(std::string code, std::string message) {
  return AuthorizeFailed(
      MakeVerdict(Action::kRetryLater, std::move(code), std::move(message)));
}

Verdict VerdictForTransportError(const Error& error) {
  Verdict v;
  v.action = Action::kRetryLater;
  v.message =
      error
          .message;  // the client's messages carry no secret and no query value
  switch (error.code) {
    case ErrorCode::kDeadlineExceeded:
      v.code = "timeout";
      break;
    case ErrorCode::kUnavailable:
      v.code = "unavailable";
      break;
    case ErrorCode::kResourceExhausted:
      v.code = "too_large";
      break;
    case ErrorCode::kUnauthenticated:
      v.code = "tls";
      break;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kPermissionDenied:
      v.action = Action::kFatal;
      v.code = "bad_url";
      break;
    default:
      v.code = "transport";
      break;
  }
  return v;
}

bool IsFailoverError(const Error& error) {
  return error.code == ErrorCode::kDeadlineExceeded ||
         error.code == ErrorCode::kUnavailable;
}

}  // namespace tokenwarden::providers

namespace tokenwarden {

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kOk: return "ok";
    case Action::kReauthorize: return "reauthorize";
    case Action::kRetryLater: return "retry_later";
    case Action::kNeedsSupport: return "needs_support";
    case Action::kFatal: return "fatal";
    case Action::kPassThrough: return "pass_through";
  }
  return "unknown";
}

}  // namespace tokenwarden
