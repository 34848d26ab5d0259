#include "providers/novapost_classifier.h"

#include <gtest/gtest.h>

namespace tokenwarden::providers {
namespace {

const TimePoint kNow = FromUnixSeconds(1740658354);

struct Row {
  int status;
  Action on_authorize;
  Action on_api;
};

TEST(NovaPostClassifier, EveryStatusOnBothCalls) {
  const Row rows[] = {
      {200, Action::kOk, Action::kOk},
      {201, Action::kOk, Action::kOk},
      {401, Action::kFatal, Action::kReauthorize},
      {422, Action::kFatal, Action::kPassThrough},
      {400, Action::kFatal, Action::kPassThrough},
      {403, Action::kFatal, Action::kPassThrough},
      {404, Action::kFatal, Action::kPassThrough},
      {429, Action::kRetryLater, Action::kRetryLater},
      {500, Action::kRetryLater, Action::kRetryLater},
      {502, Action::kRetryLater, Action::kRetryLater},
      {503, Action::kRetryLater, Action::kRetryLater},
      {504, Action::kRetryLater, Action::kRetryLater},
  };
  for (const Row& row : rows) {
    UpstreamResponse r{row.status, {}, R"({"message":"m"})"};
    Verdict a = ClassifyNovaPostAnswer(r, NovaPostCall::kAuthorize, kNow);
    Verdict b = ClassifyNovaPostAnswer(r, NovaPostCall::kApi, kNow);
    EXPECT_EQ(a.action, row.on_authorize) << row.status;
    EXPECT_EQ(b.action, row.on_api) << row.status;
    if (row.status >= 300) {
      EXPECT_EQ(a.code, "http_" + std::to_string(row.status));
      EXPECT_NE(a.message.find("(m)"), std::string::npos) << a.message;
    }
  }
}

TEST(NovaPostClassifier, MessagesSayWhatToDo) {
  EXPECT_NE(
      ClassifyNovaPostAnswer({401, {}, ""}, NovaPostCall::kAuthorize, kNow)
          .message.find("api_key"),
      std::string::npos);
  EXPECT_NE(
      ClassifyNovaPostAnswer({422, {}, ""}, NovaPostCall::kAuthorize, kNow)
          .message.find("api_key"),
      std::string::npos);
}

TEST(NovaPostClassifier, HonoursRetryAfter) {
  Verdict v = ClassifyNovaPostAnswer({503, {{"Retry-After", "30"}}, ""},
                                     NovaPostCall::kAuthorize, kNow);
  EXPECT_EQ(v.retry_after, std::chrono::seconds(30));
  Verdict w = ClassifyNovaPostAnswer({429, {{"Retry-After", "5"}}, ""},
                                     NovaPostCall::kApi, kNow);
  EXPECT_EQ(w.retry_after, std::chrono::seconds(5));
}

}  // namespace
}  // namespace tokenwarden::providers
