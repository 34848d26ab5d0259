// Every row of the bank's msgCode table, at every status it may come with.
#include "providers/alliance_classifier.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tokenwarden::providers {
namespace {

const TimePoint kNow = FromUnixSeconds(1740658354);

std::string BankError(const std::string& code) {
  return nlohmann::json{{"requestId", "0b7a"},
                        {"serviceId", "api-gateway"},
                        {"msgCode", code},
                        {"msgType", "ERROR"},
                        {"msgText", "text of " + code},
                        {"isLocalized", false},
                        {"msgAttrs", nlohmann::json::object()},
                        {"errorCauses", nlohmann::json::array()}}
      .dump();
}

struct CodeRow {
  const char* code;
  Action action;
};

// msgCode decides whatever the status; the statuses are the documented one,
// 200 (the bank answers some errors with 200) and a few that must not change
// it.
const CodeRow kCodes[] = {
    {"b_expired_token", Action::kReauthorize},
    {"b_session_doesnt_exist", Action::kReauthorize},
    {"b_session_doesnt_exists", Action::kReauthorize},
    {"b_used_token", Action::kReauthorize},
    {"b_previous_auth_token_expired", Action::kReauthorize},
    {"b_unknown_device", Action::kReauthorize},
    {"b_virtual_device_not_found", Action::kReauthorize},
    {"b_refresh_token_absent", Action::kReauthorize},
    {"b_auth_token_expired", Action::kNeedsSupport},
    {"b_server_is_overloaded", Action::kRetryLater},
    {"b_overload_error", Action::kRetryLater},
};

TEST(AllianceClassifier, EveryMsgCodeAtEveryStatus) {
  for (const CodeRow& row : kCodes) {
    for (int status : {200, 400, 401, 403, 500, 503}) {
      UpstreamResponse r{
          status, {{"content-type", "application/json"}}, BankError(row.code)};
      Verdict v = ClassifyAllianceAnswer(r, kNow);
      EXPECT_EQ(v.action, row.action) << row.code << " at " << status;
      EXPECT_EQ(v.code, row.code);
      EXPECT_NE(v.message.find(row.code), std::string::npos) << v.message;
      EXPECT_NE(v.message.find(std::to_string(status)), std::string::npos)
          << v.message;
    }
  }
}

TEST(AllianceClassifier, MsgCodesAreMatchedWhateverTheirCase) {
  Verdict v =
      ClassifyAllianceAnswer({200, {}, BankError("B_Used_Token")}, kNow);
  EXPECT_EQ(v.action, Action::kReauthorize);
  EXPECT_EQ(v.code, "B_Used_Token");
}

TEST(AllianceClassifier, AuthTokenExpiredBeatsThe401Rule) {
  Verdict v = ClassifyAllianceAnswer(
      {401, {}, BankError("b_auth_token_expired")}, kNow);
  EXPECT_EQ(v.action, Action::kNeedsSupport);
  EXPECT_NE(v.message.find("support"), std::string::npos);
}

TEST(AllianceClassifier, RefreshTokenAbsentIsFlaggedAsAClientBug) {
  Verdict v = ClassifyAllianceAnswer(
      {200, {}, BankError("b_refresh_token_absent")}, kNow);
  EXPECT_EQ(v.action, Action::kReauthorize);
  EXPECT_NE(v.message.find("client bug"), std::string::npos) << v.message;
}

struct StatusRow {
  int status;
  std::string body;
  Action action;
  std::string code;
};

TEST(AllianceClassifier, ByStatusWhenNoKnownCode) {
  const StatusRow rows[] = {
      {200, R"({"orderId":"1"})", Action::kOk, ""},
      {201, "", Action::kOk, ""},
      {204, "", Action::kOk, ""},
      {401, "", Action::kReauthorize, "http_401"},
      {401, R"({"message":"Unauthorized"})", Action::kReauthorize, "http_401"},
      {401, BankError("b_something_new"), Action::kReauthorize,
       "b_something_new"},
      {401, "<html>401</html>", Action::kReauthorize, "http_401"},
      {503, "", Action::kRetryLater, "http_503"},
      {500, "oops", Action::kRetryLater, "http_500"},
      {502, "<html>Bad Gateway</html>", Action::kRetryLater, "http_502"},
      {504, "", Action::kRetryLater, "http_504"},
      {429, "", Action::kRetryLater, "http_429"},
      {400, BankError("b_invalid_amount"), Action::kPassThrough,
       "b_invalid_amount"},
      {200, BankError("b_invalid_amount"), Action::kPassThrough,
       "b_invalid_amount"},
      {404, "", Action::kPassThrough, "http_404"},
      {403, "", Action::kPassThrough, "http_403"},
      {302, "", Action::kPassThrough, "http_302"},
      // Truncated or malformed bodies: a surviving msgCode still counts.
      {401, R"({"requestId":"x","msgCode":"b_auth_token_expired","msgT)",
       Action::kNeedsSupport, "b_auth_token_expired"},
      {200, R"({"requestId":"x","msgCode":"b_used_token)", Action::kOk, ""},
      {200,
       R"({"requestId":"x","msgCode":"b_virtual_device_not_found","msgType":"ERR)",
       Action::kReauthorize, "b_virtual_device_not_found"},
      {200, R"({"orderId":)", Action::kOk, ""},
  };
  for (const StatusRow& row : rows) {
    Verdict v = ClassifyAllianceAnswer({row.status, {}, row.body}, kNow);
    EXPECT_EQ(v.action, row.action) << row.status << " " << row.body;
    EXPECT_EQ(v.code, row.code) << row.status << " " << row.body;
  }
}

TEST(AllianceClassifier, HonoursRetryAfterOnOverload) {
  Verdict busy = ClassifyAllianceAnswer(
      {503, {{"Retry-After", "12"}}, BankError("b_server_is_overloaded")},
      kNow);
  EXPECT_EQ(busy.action, Action::kRetryLater);
  EXPECT_EQ(busy.retry_after, std::chrono::seconds(12));
  Verdict ok200 = ClassifyAllianceAnswer(
      {200, {{"retry-after", "3"}}, BankError("b_overload_error")}, kNow);
  EXPECT_EQ(ok200.retry_after, std::chrono::seconds(3));
  Verdict bare = ClassifyAllianceAnswer({503, {}, ""}, kNow);
  EXPECT_EQ(bare.retry_after, Duration::zero());
  Verdict other =
      ClassifyAllianceAnswer({500, {{"Retry-After", "4"}}, ""}, kNow);
  EXPECT_EQ(other.retry_after, std::chrono::seconds(4));
}

TEST(AllianceClassifier, OnAuthorizeAPlainErrorNeverAsksToAuthorizeAgain) {
  const StatusRow rows[] = {
      {401, BankError("b_auth_token_expired"), Action::kNeedsSupport,
       "b_auth_token_expired"},
      {401, BankError("b_used_token"), Action::kRetryLater, "b_used_token"},
      {200, BankError("b_virtual_device_not_found"), Action::kRetryLater,
       "b_virtual_device_not_found"},
      {401, "", Action::kRetryLater, "http_401"},
      {503, BankError("b_server_is_overloaded"), Action::kRetryLater,
       "b_server_is_overloaded"},
      {200, BankError("b_overload_error"), Action::kRetryLater,
       "b_overload_error"},
      {502, "", Action::kRetryLater, "http_502"},
      {400, BankError("b_service_code_not_found"), Action::kFatal,
       "b_service_code_not_found"},
      {400, BankError("b_bad_request"), Action::kFatal, "b_bad_request"},
      {200, BankError("b_merchant_not_found"), Action::kFatal,
       "b_merchant_not_found"},
      {200, BankError("b_terminal_not_found"), Action::kFatal,
       "b_terminal_not_found"},
      {404, "", Action::kFatal, "http_404"},
      {200, R"({"unexpected":true})", Action::kRetryLater, "bad_answer"},
  };
  for (const StatusRow& row : rows) {
    Verdict v =
        ClassifyAllianceAuthorizeFailure({row.status, {}, row.body}, kNow);
    EXPECT_EQ(v.action, row.action) << row.status << " " << row.body;
    EXPECT_EQ(v.code, row.code) << row.status << " " << row.body;
    EXPECT_EQ(v.message.rfind("authoriz", 0), 0u) << v.message;
  }
}

}  // namespace
}  // namespace tokenwarden::providers
