// The small pieces every provider shares.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "providers/error_body.h"
#include "providers/refresh_plan.h"
#include "providers/request_id.h"
#include "providers/retry_after.h"
#include "providers/verdicts.h"

namespace tokenwarden::providers {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST(RequestId, IsAFreshVersion4Uuid) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    EXPECT_THAT(id,
                ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-["
                                        "89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RetryAfter, ReadsSecondsAndDates) {
  TimePoint now = FromUnixSeconds(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 7 ", now), seconds(7));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now), seconds(30));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Duration::zero())
      << "in the past";
  EXPECT_EQ(ParseRetryAfter("999999999999999999999", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("86400", now), kMaxRetryAfter);
  // Past a TimePoint's range (2262): the difference was once taken in
  // nanoseconds, which overflowed.
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("Mon, 01 Jan 1000 00:00:00 GMT", now), Duration::zero());
  for (const char* bad :
       {"", "-5", "1.5", "soon", "Sun, 06 Nov 1994", "120 s"}) {
    EXPECT_EQ(ParseRetryAfter(bad, now), Duration::zero()) << bad;
  }
  UpstreamResponse r{503, {{"Retry-After", "9"}}, ""};
  EXPECT_EQ(RetryAfterOf(r, now), seconds(9));
  EXPECT_EQ(FindHeader(r, "RETRY-AFTER").value_or(""), "9");
  EXPECT_EQ(RetryAfterOf(UpstreamResponse{503, {}, ""}, now), Duration::zero());
}

TEST(ErrorBody, ReadsTheShapesUpstreamsUse) {
  auto bank = ParseErrorBody(
      R"({"requestId":"r","serviceId":"api-gateway","msgCode":"b_used_token",
      "msgType":"ERROR","msgText":"@Used Token Alert!","isLocalized":false,"msgAttrs":{},"errorCauses":[]})");
  ASSERT_TRUE(bank.has_value());
  EXPECT_EQ(bank->code, "b_used_token");
  EXPECT_EQ(bank->text, "@Used Token Alert!");
  EXPECT_TRUE(bank->complete);
  auto oauth = ParseErrorBody(
      R"({"error":"invalid_client","error_description":"bad secret"})");
  EXPECT_EQ(oauth->code, "invalid_client");
  EXPECT_EQ(oauth->text, "bad secret");
  EXPECT_EQ(ParseErrorBody(R"({"message":"Unauthorized"})")->text,
            "Unauthorized");
  // A sentence under "error" is a description: codes end up in metric labels.
  auto sentence = ParseErrorBody(R"({"error":"service is down for maintenance"})");
  ASSERT_TRUE(sentence.has_value());
  EXPECT_EQ(sentence->code, "");
  EXPECT_EQ(sentence->text, "service is down for maintenance");
  auto cut =
      ParseErrorBody(R"({"requestId":"r","msgCode":"b_expired_token","msgTy)");
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->code, "b_expired_token");
  EXPECT_FALSE(cut->complete);
  for (const char* none :
       {"", "<html>502 Bad Gateway</html>", "{}", R"({"jwe":"a.b.c.d.e"})",
        "[1,2]", R"({"msgCode":5})"}) {
    EXPECT_FALSE(ParseErrorBody(none).has_value()) << none;
  }
  EXPECT_LE(ParseErrorBody(R"({"message":")" + std::string(1000, 'x') + "\"}")
                ->text.size(),
            203u);
  // The bank writes in Ukrainian, two bytes a letter: after "a", 200 bytes
  // would end inside the 100th "я", which is left out whole.
  std::string ukrainian = std::string(1, 'a');
  for (int i = 0; i < 150; ++i) ukrainian += "\xD1\x8F";
  auto long_text = ParseErrorBody(R"({"msgCode":"b_x","msgText":")" + ukrainian + "\"}");
  ASSERT_TRUE(long_text.has_value());
  EXPECT_EQ(long_text->text, ukrainian.substr(0, 199) + "...");
}

TEST(Verdicts, TransportErrors) {
  struct Row {
    ErrorCode code;
    Action action;
    const char* verdict_code;
    bool failover;
  };
  for (const Row& row :
       {Row{ErrorCode::kDeadlineExceeded, Action::kRetryLater, "timeout", true},
        Row{ErrorCode::kUnavailable, Action::kRetryLater, "unavailable", true},
        Row{ErrorCode::kResourceExhausted, Action::kRetryLater, "too_large",
            false},
        Row{ErrorCode::kUnauthenticated, Action::kRetryLater, "tls", false},
        Row{ErrorCode::kInternal, Action::kRetryLater, "transport", false},
        Row{ErrorCode::kPermissionDenied, Action::kFatal, "bad_url", false},
        Row{ErrorCode::kInvalidArgument, Action::kFatal, "bad_url", false}}) {
    Error e = MakeError(row.code, "what happened");
    Verdict v = VerdictForTransportError(e);
    EXPECT_EQ(v.action, row.action) << row.verdict_code;
    EXPECT_EQ(v.code, row.verdict_code);
    EXPECT_EQ(v.message, "what happened");
    EXPECT_EQ(IsFailoverError(e), row.failover) << row.verdict_code;
  }
  AuthorizeResult failed = AuthorizeFailed("bad_jwe", "m");
  EXPECT_FALSE(failed.session.has_value());
  EXPECT_EQ(failed.verdict.action, Action::kRetryLater);
}

std::string AccountName(int i) { return "account-" + std::to_string(i); }

TEST(RefreshPlan, StaysInTheLastThirdOfThePeriodAndIsTheSameOnEveryHost) {
  const TimePoint issued = FromUnixSeconds(1740571954);
  const TimePoint latest = issued + std::chrono::minutes(54);
  std::set<Duration::rep> seen;
  for (int i = 0; i < 2000; ++i) {
    TimePoint t = SpreadRefresh(AccountName(i), issued, latest);
    EXPECT_LE(t, latest);
    EXPECT_GE(t, latest - std::chrono::minutes(18));
    EXPECT_EQ(t, SpreadRefresh(AccountName(i), issued, latest));
    seen.insert(t.time_since_epoch().count());
  }
  // Apart, but for the 1/64 whose grid point falls just past `latest`.
  EXPECT_GT(seen.size(), 1940u) << "accounts issued together plan apart";
  EXPECT_EQ(SpreadRefresh("a", latest, latest), latest);
  EXPECT_EQ(SpreadRefresh("a", latest + seconds(1), latest), latest);
}

// 10,000 accounts authorized in the same second, each refreshed as planned:
// by the fourth round every account is on its own grid point, one period
// apart from then on, and the rounds spread evenly over the period.
TEST(RefreshPlan, AccountsAuthorizedTogetherSpreadOverThePeriodAndStay) {
  const Duration period = std::chrono::minutes(54);
  const int n = 10000;
  std::vector<TimePoint> issued(n, FromUnixSeconds(1740571954));
  std::vector<TimePoint> plan(n);
  for (int round = 0; round < 8; ++round) {
    for (int i = 0; i < n; ++i) {
      TimePoint t = SpreadRefresh(AccountName(i), issued[i], issued[i] + period);
      ASSERT_GE(t - issued[i], period * 2 / 3);
      ASSERT_LE(t - issued[i], period);
      if (round >= 4) {
        // On its grid point, or (a point just past `latest`) as near before
        // it as the authorization's own time allows.
        ASSERT_GE(t - plan[i], period) << "account " << i << " left its grid in round " << round;
        ASSERT_LE(t - plan[i], period + std::chrono::milliseconds(300)) << "account " << i;
      }
      plan[i] = t;
      issued[i] = t + std::chrono::milliseconds(i % 300);  // the authorization's own time
    }
  }
  // One round's refreshes by minute of the period: even is n / 54 = 185.
  std::vector<int> per_minute(54);
  for (TimePoint t : plan) {
    ++per_minute[std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch() % period).count()];
  }
  EXPECT_LT(*std::max_element(per_minute.begin(), per_minute.end()), 185 * 3 / 2);
  EXPECT_GT(*std::min_element(per_minute.begin(), per_minute.end()), 185 / 2);
}

}  // namespace
}  // namespace tokenwarden::providers
