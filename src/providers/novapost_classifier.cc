#include "providers/novapost_classifier.h"

#include <string>

#include "providers/error_body.h"
#include "providers/retry_after.h"

namespace tokenwarden::providers {

Verdict ClassifyNovaPostAnswer(const UpstreamResponse& response,
                               NovaPostCall call, TimePoint now) {
  const int status = response.status;
  Verdict v;
  // Success is the common case (every proxied call): no body parsing.
  if (status >= 200 && status < 300) {
    v.action = Action::kOk;
    return v;
  }
  v.code = "http_" + std::to_string(status);
  auto body = ParseErrorBody(response.body);
  std::string text = body && !body->text.empty() ? " (" + body->text + ")" : "";
  std::string where =
      "Nova Post answered HTTP " + std::to_string(status) + text;
  const bool authorize = call == NovaPostCall::kAuthorize;
  if (status == 401) {
    v.action = authorize ? Action::kFatal : Action::kReauthorize;
    v.message =
        authorize ? where + ": the API key is unknown or revoked; check api_key"
                  : where + ": the token was rejected; authorize again";
  } else if (status == 429 || status >= 500) {
    v.action = Action::kRetryLater;
    v.message = where + ": retry later";
    v.retry_after = RetryAfterOf(response, now);
  } else if (authorize) {
    v.action = Action::kFatal;
    v.message = where + (status == 422
                             ? ": the token request was invalid; check api_key"
                             : ": authorizing refused");
  } else {
    v.action = Action::kPassThrough;
    v.message = where;
  }
  return v;
}

}  // namespace tokenwarden::providers
