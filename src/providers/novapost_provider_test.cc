#include "providers/novapost_provider.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "jose/jwt.h"

namespace tokenwarden::providers {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kIssued = FromUnixSeconds(1685627414);

Result<std::shared_ptr<Provider>> Make(NovaPostConfig c) {
  return MakeNovaPostProvider(std::move(c), *http::MakeHttpClient(),
                              std::make_shared<ManualClock>(kIssued));
}

NovaPostConfig Config() {
  NovaPostConfig c;
  c.api_key = Secret("np-SECRET-key");
  return c;
}

Session SessionAt(Duration lifetime) {
  Session s;
  s.issued_at = kIssued;
  s.expires_at = kIssued + lifetime;
  s.headers = {{"Authorization", Secret("eyJ.jwt.sig")}};
  return s;
}

TEST(NovaPostProvider, DefaultsToBothEquivalentBaseUrls) {
  NovaPostConfig c;
  ASSERT_EQ(c.base_urls.size(), 2u);
  EXPECT_EQ(c.base_urls[0], "https://api.novapost.com/v.1.0");
  EXPECT_EQ(c.base_urls[1], "https://api.novaposhta.ua/v.1.0");
  EXPECT_EQ(c.max_active_sessions, 2);
  EXPECT_TRUE(Make(Config()).ok());
}

TEST(NovaPostProvider, ConfigErrorsNameTheFieldAndNeverTheKey) {
  struct Row {
    std::function<void(NovaPostConfig&)> change;
    const char* field;
  };
  const Row rows[] = {
      {[](NovaPostConfig& c) { c.base_urls.clear(); }, "base_urls"},
      {[](NovaPostConfig& c) { c.base_urls[1] = "novaposhta.ua"; },
       "base_urls[1]"},
      {[](NovaPostConfig& c) {
         c.base_urls[0] = "http://api.novapost.com/v.1.0";
       },
       "base_urls[0]"},
      {[](NovaPostConfig& c) {
         c.base_urls[0] = "https://api.novapost.com/v.1.0?apiKey=np-SECRET-key";
       },
       "base_urls[0]"},
      {[](NovaPostConfig& c) { c.api_key = Secret(""); }, "api_key"},
      {[](NovaPostConfig& c) { c.max_active_sessions = 0; },
       "max_active_sessions"},
  };
  for (const Row& row : rows) {
    NovaPostConfig c = Config();
    row.change(c);
    auto p = Make(std::move(c));
    ASSERT_FALSE(p.ok()) << row.field;
    EXPECT_NE(p.error().message.find(row.field), std::string::npos)
        << p.error().message;
    EXPECT_EQ(p.error().message.find("SECRET"), std::string::npos)
        << p.error().message;
  }
}

TEST(NovaPostProvider, PlansAnHourTokenSixMinutesEarlyAtTheLatest) {
  auto p = *Make(Config());
  Session s = SessionAt(hours(1));
  TimePoint lo = s.expires_at, hi = kIssued;
  for (int i = 0; i < 2000; ++i) {
    s.account = "delivery-" + std::to_string(i);
    TimePoint t = p->PlanRefresh(s);
    // The period is 54 min; the plan lies in its last third.
    EXPECT_LE(t, s.expires_at - minutes(6));
    EXPECT_GE(t, s.expires_at - minutes(6) - minutes(18));
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  EXPECT_GT(hi - lo, minutes(17)) << "accounts spread over the window";
}

TEST(NovaPostProvider, LeadIsAtLeastFiveMinutesAndTenPercent) {
  auto p = *Make(Config());
  for (int i = 0; i < 500; ++i) {
    // 10 % is 2 min: the 5 min floor wins; the period is 15 min.
    Session twenty = SessionAt(minutes(20));
    twenty.account = "a" + std::to_string(i);
    TimePoint t = p->PlanRefresh(twenty);
    EXPECT_LE(t, twenty.expires_at - minutes(5));
    EXPECT_GE(t, twenty.expires_at - minutes(10));
    Session three = SessionAt(hours(3));  // 10 % is 18 min
    three.account = twenty.account;
    TimePoint u = p->PlanRefresh(three);
    EXPECT_LE(u, three.expires_at - minutes(18));
    EXPECT_GE(u, three.expires_at - minutes(18) - minutes(54));
    Session tiny = SessionAt(minutes(2));  // shorter than the lead: at once
    tiny.account = twenty.account;
    EXPECT_EQ(p->PlanRefresh(tiny), kIssued);
  }
}

TEST(NovaPostProvider, AttachesTheBareToken) {
  auto p = *Make(Config());
  auto h = p->RequestHeaders(SessionAt(hours(1)));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].first, "Authorization");
  EXPECT_EQ(h[0].second, "eyJ.jwt.sig");
  EXPECT_EQ(p->name(), "novapost");
  EXPECT_EQ(p->Classify({401, {}, ""}).action, Action::kReauthorize);
  EXPECT_EQ(p->Classify({422, {}, ""}).action, Action::kPassThrough);
}

TEST(NovaPostProvider, KeepsTheTokenOnceAndTheRestOfTheAnswer) {
  // iat an hour before our issued_at: the lifetime (exp - iat) counts from ours.
  long long iat = ToUnixSeconds(kIssued) - 3600;
  auto token = jose::SignHs256({{"iat", iat}, {"exp", iat + 3600}}, Secret("np-signing-key-np-signing-key-32"));
  ASSERT_TRUE(token.ok());
  nlohmann::json answer = {{"jwt", *token}, {"future", {{"a", 1}}}};
  AuthorizeResult r = NovaPostSession(answer.dump(), kIssued);
  ASSERT_EQ(r.verdict.action, Action::kOk) << r.verdict.message;
  const Session& s = *r.session;
  EXPECT_EQ(s.expires_at, kIssued + hours(1));
  ASSERT_EQ(s.headers.size(), 1u);
  EXPECT_EQ(s.headers[0].value.reveal(), *token);
  EXPECT_EQ(s.upstream_state.reveal(), R"({"future":{"a":1}})");

  // exp and iat 285 years either side of 1970: their difference overflowed
  // nanoseconds (undefined behaviour) before it was taken in seconds.
  const Secret key("np-signing-key-np-signing-key-32");
  for (auto [claim_iat, claim_exp] : {std::pair<long long, long long>{-9000000000, 9000000000},
                                      {iat, iat + 367LL * 24 * 3600},
                                      {iat, iat},
                                      {iat, iat - 1}}) {
    auto odd = jose::SignHs256({{"iat", claim_iat}, {"exp", claim_exp}}, key);
    ASSERT_TRUE(odd.ok());
    AuthorizeResult refused = NovaPostSession(nlohmann::json{{"jwt", *odd}}.dump(), kIssued);
    EXPECT_EQ(refused.verdict.action, Action::kRetryLater) << claim_iat << " " << claim_exp;  // with backoff
    EXPECT_EQ(refused.verdict.code, "bad_jwt") << claim_iat << " " << claim_exp;
    EXPECT_FALSE(refused.session.has_value());
  }
  auto year = jose::SignHs256({{"iat", iat}, {"exp", iat + 366LL * 24 * 3600}}, key);
  ASSERT_TRUE(year.ok());
  AuthorizeResult longest = NovaPostSession(nlohmann::json{{"jwt", *year}}.dump(), kIssued);
  ASSERT_EQ(longest.verdict.action, Action::kOk) << longest.verdict.message;
  EXPECT_EQ(longest.session->expires_at, kIssued + hours(366 * 24));

  for (const char* bad : {R"({"jwt":""})", R"({"jwt":7})", R"([])", R"({"token":"x"})"}) {
    AuthorizeResult refused = NovaPostSession(bad, kIssued);
    EXPECT_NE(refused.verdict.action, Action::kOk) << bad;
    EXPECT_FALSE(refused.session.has_value()) << bad;
  }
}

TEST(NovaPostProvider, AnswersAnAuthorizationWithItsTokenAndKnowsOnlyItsKey) {
  auto p = *Make(Config());
  EXPECT_TRUE(p->HasCredential("np-SECRET-key"));
  EXPECT_FALSE(p->HasCredential("np-SECRET-kez"));
  Session s;
  s.headers = {{"Authorization", Secret("aaa.bbb.ccc")}};
  s.upstream_state = Secret(R"({"future":{"a":1}})");
  auto answer = p->AuthorizationAnswer(s);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(nlohmann::json::parse(*answer), nlohmann::json::parse(R"({"jwt":"aaa.bbb.ccc","future":{"a":1}})"));
  s.headers.clear();
  EXPECT_FALSE(p->AuthorizationAnswer(s).ok());
}

}  // namespace
}  // namespace tokenwarden::providers
