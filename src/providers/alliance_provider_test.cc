#include "providers/alliance_provider.h"

#include "jose/jwe.h"
#include "providers/alliance_answer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tokenwarden::providers {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimePoint kIssued = FromUnixSeconds(1740571954);

class AllianceProviderTest : public ::testing::Test {
 protected:
  AllianceConfig Config() {
    AllianceConfig c;
    c.base_url = "https://api-ecom-prod.bankalliance.ua/";
    c.service_code = Secret("6f1c0a3e-0000-4000-8000-000000000001");
    c.private_key = key_;
    return c;
  }
  Result<std::shared_ptr<Provider>> Make(AllianceConfig c) {
    return MakeAllianceProvider(std::move(c), *http::MakeHttpClient(),
                                std::make_shared<ManualClock>(kIssued));
  }
  static Session SessionAt(TimePoint issued, Duration lifetime) {
    Session s;
    s.issued_at = issued;
    s.expires_at = issued + lifetime;
    s.headers = {{"x-api_version", Secret("v1")},
                 {"x-device_id", Secret("dev")},
                 {"x-refresh_token", Secret("ref")}};
    return s;
  }
  jose::EcKey key_ = *jose::EcKey::Generate(jose::Curve::kP384);
};

TEST_F(AllianceProviderTest, ConfigErrorsNameTheField) {
  struct Row {
    std::function<void(AllianceConfig&)> change;
    const char* field;
  };
  const Row rows[] = {
      {[](AllianceConfig& c) { c.base_url = ""; }, "base_url"},
      {[](AllianceConfig& c) { c.base_url = "ftp://bank"; }, "base_url"},
      {[](AllianceConfig& c) { c.base_url = "http://bank.example.com"; },
       "base_url"},
      {[](AllianceConfig& c) { c.base_url = "https://bank/?x=1"; }, "base_url"},
      {[](AllianceConfig& c) { c.service_code = Secret(""); }, "service_code"},
      {[](AllianceConfig& c) { c.private_key.reset(); }, "private_key"},
      {[this](AllianceConfig& c) { c.private_key = key_.PublicOnly(); },
       "private_key"},
      {[](AllianceConfig& c) { c.api_version = ""; }, "api_version"},
      {[](AllianceConfig& c) { c.refresh_every = minutes(59); },
       "refresh_every"},
      {[](AllianceConfig& c) { c.refresh_every = hours(24); }, "refresh_every"},
  };
  for (const Row& row : rows) {
    AllianceConfig c = Config();
    row.change(c);
    auto p = Make(std::move(c));
    ASSERT_FALSE(p.ok()) << row.field;
    EXPECT_NE(p.error().message.find(row.field), std::string::npos)
        << p.error().message;
    EXPECT_EQ(p.error().message.find("6f1c0a3e"), std::string::npos)
        << "the service code is not echoed";
  }
  EXPECT_TRUE(Make(Config()).ok());
  AllianceConfig loopback = Config();
  loopback.base_url = "http://127.0.0.1:8708";
  EXPECT_TRUE(Make(loopback).ok());
  for (Duration every : {hours(1), hours(8), hours(23)}) {
    AllianceConfig c = Config();
    c.refresh_every = every;
    EXPECT_TRUE(Make(c).ok());
  }
  EXPECT_FALSE(MakeAllianceProvider(Config(), nullptr,
                                    std::make_shared<ManualClock>(kIssued))
                   .ok());
}

// The bank asks for a renewal every 8 to 12 hours.
TEST_F(AllianceProviderTest, PlansBetweenEightAndTwelveHours) {
  auto p = *Make(Config());
  Session s = SessionAt(kIssued, hours(24));
  TimePoint lo = kIssued + hours(24), hi = kIssued;
  for (int i = 0; i < 2000; ++i) {
    s.account = "shop-" + std::to_string(i);
    TimePoint t = p->PlanRefresh(s);
    EXPECT_GE(t, kIssued + hours(8));
    EXPECT_LE(t, kIssued + hours(12));
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  EXPECT_LT(lo, kIssued + hours(8) + minutes(10)) << "accounts spread";
  EXPECT_GT(hi, kIssued + hours(12) - minutes(10));
}

TEST_F(AllianceProviderTest, NeverPlansLaterThanTenMinutesBeforeExpiry) {
  AllianceConfig c = Config();
  c.refresh_every = hours(23);
  auto p = *Make(c);
  Session day = SessionAt(kIssued, hours(24));
  Session short_lived = SessionAt(kIssued, hours(6));
  for (int i = 0; i < 500; ++i) {
    day.account = short_lived.account = "shop-" + std::to_string(i);
    EXPECT_LE(p->PlanRefresh(day), day.expires_at - minutes(10));
    TimePoint t = p->PlanRefresh(short_lived);
    EXPECT_LE(t, short_lived.expires_at - minutes(10));
    // The period is 5 h 50 min; at most a third of it earlier.
    EXPECT_GE(t, short_lived.expires_at - minutes(10) - Duration(minutes(350)) / 3);
  }
}

TEST_F(AllianceProviderTest, EveryRequestGetsAFreshRequestId) {
  auto p = *Make(Config());
  Session s = SessionAt(kIssued, hours(24));
  auto a = p->RequestHeaders(s);
  auto b = p->RequestHeaders(s);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0], (std::pair<std::string, std::string>{"x-api_version", "v1"}));
  EXPECT_EQ(a[1], (std::pair<std::string, std::string>{"x-device_id", "dev"}));
  EXPECT_EQ(a[2],
            (std::pair<std::string, std::string>{"x-refresh_token", "ref"}));
  EXPECT_EQ(a[3].first, "x-request_id");
  EXPECT_THAT(a[3].second,
              ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-["
                                      "89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  EXPECT_NE(a[3].second, b[3].second);
  EXPECT_EQ(p->name(), "alliance");
  EXPECT_EQ(p->Classify({401, {}, ""}).action, Action::kReauthorize);
}

TEST_F(AllianceProviderTest, KnowsItsServiceCodeInConstantTimeAndNoOther) {
  auto p = *Make(Config());
  EXPECT_TRUE(p->HasCredential("6f1c0a3e-0000-4000-8000-000000000001"));
  EXPECT_FALSE(p->HasCredential("6f1c0a3e-0000-4000-8000-000000000002"));
  EXPECT_FALSE(p->HasCredential("6f1c0a3e-0000-4000-8000-00000000000"));
  EXPECT_FALSE(p->HasCredential(""));
}

// A client that authorizes by itself through the drop-in listener reads
// the bank's payload with the merchant's key, as from the bank.
TEST_F(AllianceProviderTest, AnswersAnAuthorizationWithThePayloadEncryptedToTheMerchant) {
  auto p = *Make(Config());
  Session s = SessionAt(kIssued, hours(24));
  nlohmann::json payload = {{"deviceId", "dev"}, {"refreshToken", "ref"}, {"authToken", "auth"},
                            {"serverPublic", {{"kty", "EC"}, {"crv", "P-384"}, {"x", "AA"}, {"y", "BB"}}},
                            {"tokenExpirationDateTime", "2025-02-27 12:12:34.0430 +0000"}};
  nlohmann::json state = payload;
  state[kWarningField] = "our own note, not the bank's";
  s.upstream_state = Secret(state.dump());
  auto answer = p->AuthorizationAnswer(s);
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  auto body = nlohmann::json::parse(*answer);
  ASSERT_TRUE(body.contains("jwe"));
  auto opened = jose::DecryptCompact(body["jwe"].get<std::string>(), key_);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_EQ(nlohmann::json::parse(opened->plaintext.reveal()), payload);
  auto other = *jose::EcKey::Generate(jose::Curve::kP384);
  EXPECT_FALSE(jose::DecryptCompact(body["jwe"].get<std::string>(), other).ok()) << "only the merchant reads it";

  s.upstream_state = Secret("{}");
  EXPECT_FALSE(p->AuthorizationAnswer(s).ok()) << "no payload, no answer";
}

}  // namespace
}  // namespace tokenwarden::providers
