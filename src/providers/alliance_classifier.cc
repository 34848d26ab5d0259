#include "providers/alliance_classifier.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "providers/error_body.h"
#include "providers/retry_after.h"
#include "providers/verdicts.h"

namespace tokenwarden::providers {
namespace {

constexpr std::array<std::string_view, 7> kSessionCodes = {
    "b_expired_token",
    "b_session_doesnt_exist",
    "b_session_doesnt_exists",
    "b_used_token",
    "b_previous_auth_token_expired",
    "b_unknown_device",
    "b_virtual_device_not_found"};
constexpr std::array<std::string_view, 2> kOverloadCodes = {
    "b_server_is_overloaded", "b_overload_error"};

template <size_t N>
bool OneOf(std::string_view code,
           const std::array<std::string_view, N>& codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Verdict RetryLater(const UpstreamResponse& response, TimePoint now,
                   std::string code, const std::string& where) {
  Verdict v = MakeVerdict(Action::kRetryLater, std::move(code),
                          where + ": retry later");
  v.retry_after = RetryAfterOf(response, now);
  return v;
}

}  // namespace

Verdict ClassifyAllianceAnswer(const UpstreamResponse& response,
                               TimePoint now) {
  const int status = response.status;
  auto body = ParseErrorBody(response.body);
  std::string sent = body ? body->code : "";
  std::string code = Lower(sent);
  std::string text = body && !body->text.empty() ? " (" + body->text + ")" : "";
  std::string where = "the bank answered HTTP " + std::to_string(status);
  if (!sent.empty()) where += " " + sent;
  where += text;

  if (code == "b_auth_token_expired") {
    return MakeVerdict(Action::kNeedsSupport, sent,
                       where +
                           ": access closed after 200 days without use; only "
                           "the bank's support can reopen it, "
                           "then authorize again");
  }
  if (OneOf(code, kSessionCodes)) {
    return MakeVerdict(Action::kReauthorize, sent,
                       where + ": the session was rejected; authorize again");
  }
  if (code == "b_refresh_token_absent") {
    return MakeVerdict(Action::kReauthorize, sent,
                       where +
                           ": the request lacked x-refresh_token, a client bug "
                           "(report it); authorize again");
  }
  if (OneOf(code, kOverloadCodes))
    return RetryLater(response, now, sent, where);
  if (status == 401) {
    return MakeVerdict(Action::kReauthorize, sent.empty() ? "http_401" : sent,
                       where + ": unauthorized; authorize again");
  }
  if (status >= 500 || status == 429) {
    return RetryLater(response, now,
                      sent.empty() ? "http_" + std::to_string(status) : sent,
                      where);
  }
  if (status >= 200 && status < 300 && sent.empty())
    return MakeVerdict(Action::kOk, "", "");
  return MakeVerdict(Action::kPassThrough,
                     sent.empty() ? "http_" + std::to_string(status) : sent,
                     where);
}

Verdict ClassifyAllianceAuthorizeFailure(const UpstreamResponse& response,
                                         TimePoint now) {
  Verdict v = ClassifyAllianceAnswer(response, now);
  switch (v.action) {
    case Action::kReauthorize:
      v.action = Action::kRetryLater;
      v.message = "authorizing failed: " + v.message;
      break;
    case Action::kOk:
    case Action::kPassThrough:
      // A refusal: a 4xx, or an error body the bank answers with 200 (its
      // error-code page gives most codes 200, b_merchant_not_found among
      // them); asking again the same way gets the same answer.
      if ((response.status >= 400 && response.status < 500) ||
          (response.status < 300 && !v.code.empty())) {
        v.action = Action::kFatal;
        v.message = "authorizing was refused: " + v.message +
                    "; check service_code and the registered key";
      } else {
        v.action = Action::kRetryLater;
        v.code = v.code.empty() ? "bad_answer" : v.code;
        v.message = "authorizing failed: " +
                    (v.message.empty() ? "the bank's answer carried no JWE"
                                       : v.message);
      }
      break;
    default:
      v.message = "authorizing failed: " + v.message;
      break;
  }
  return v;
}

}  // namespace tokenwarden::providers
