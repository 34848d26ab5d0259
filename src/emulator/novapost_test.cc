#include <gtest/gtest.h>

#include "emulator/emulator_test_util.h"
#include "jose/jwt.h"

namespace tokenwarden::emulator {
namespace {

using NovaPostEmulator = EmulatorFixture;

TEST_F(NovaPostEmulator, IssuesAnHourLongJwtShapedLikeNovaPosts) {
  auto r = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto jwt = jose::DecodeUnverified(r.json()["jwt"].get<std::string>());
  ASSERT_TRUE(jwt.ok()) << jwt.error().message;
  EXPECT_EQ(jwt->header["alg"], "HS256");
  EXPECT_EQ(jwt->claims["iss"], "np");
  EXPECT_EQ(ToUnixSeconds(*jwt->exp) - ToUnixSeconds(*jwt->iat), 3600);
  EXPECT_EQ(jwt->claims["ref"].get<std::string>().size(), 32u);
  EXPECT_EQ(jwt->claims["cid"].get<std::string>().size(), 36u);
}

TEST_F(NovaPostEmulator, UnknownAndMissingKeys) {
  EXPECT_EQ(Call("GET", "/v.1.0/clients/authorization?apiKey=nope").status, 401);
  auto missing = Call("GET", "/v.1.0/clients/authorization");
  EXPECT_EQ(missing.status, 422);
  EXPECT_TRUE(missing.json().contains("message"));
}

TEST_F(NovaPostEmulator, ProtectedCallsNeedAValidUnexpiredToken) {
  std::string jwt = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"];
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", jwt}}).status, 200);
  EXPECT_EQ(Call("GET", "/v.1.0/shipments", {{"Authorization", jwt}}).status, 200);
  EXPECT_EQ(Call("GET", "/v.1.0/divisions").status, 401);
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", jwt + "x"}}).status, 401);
  Advance(3600);
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", jwt}}).status, 401);
  auto stats = Stats()["novapost"]["np-key-1"];
  EXPECT_EQ(stats["authorizations"], 1);
  EXPECT_EQ(stats["api_calls"], 2);
  EXPECT_EQ(stats["rejected"], 1);  // the expired one; garbage names no key
  EXPECT_EQ(stats["live_sessions"], 0);
}

TEST_F(NovaPostEmulator, PastTheSessionLimitTheOldestTokenStopsWorking) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i) {
    tokens.push_back(Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"]);
  }
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", tokens[0]}}).status, 401);
  for (int i = 1; i < 4; ++i) EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", tokens[i]}}).status, 200);
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["live_sessions"], 3);
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"novapost_session_limit":1})").status, 200);
  std::string only = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"];
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", tokens[3]}}).status, 401);
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", only}}).status, 200);
}

TEST_F(NovaPostEmulator, ExpiredTokensAreForgottenAfterTheRetention) {
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"session_retention_seconds": 60})").status, 200);
  std::string old = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"];
  Advance(3600);
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", old}}).status, 401);
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["rejected"], 1);  // still known as the key's own
  Advance(61);
  std::string fresh = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"];
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", old}}).status, 401);
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["rejected"], 1);  // forgotten: no longer attributed
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", fresh}}).status, 200);
}

TEST_F(NovaPostEmulator, AtMostMaxSessionsTokenRefsAreRemembered) {
  ASSERT_EQ(Call("POST", "/_emulator/settings", {}, R"({"max_sessions": 2, "novapost_session_limit": 1})").status, 200);
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    tokens.push_back(Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"]);
    Advance(1);
  }
  // Each new token retired the one before (limit 1); the first one's ref
  // is also forgotten (only two are kept), so its calls are not counted.
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", tokens[0]}}).status, 401);
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["rejected"], 0);
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", tokens[1]}}).status, 401);
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["rejected"], 1);
  EXPECT_EQ(Call("GET", "/v.1.0/divisions", {{"Authorization", tokens[2]}}).status, 200);
}

TEST_F(NovaPostEmulator, OutagesAreInjectable) {
  Fault({{"kind", "error"}, {"path_prefix", "/v.1.0/"}, {"count", 1}});
  auto r = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(r.json().contains("message"));
  EXPECT_EQ(Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").status, 200);
}

// "Branch Directory": GET /v.1.0/divisions?countryCodes[]=PL&limit=100&name=*WROCŁAW*
TEST_F(NovaPostEmulator, DivisionsAnswerTheDocumentedExampleAndFilters) {
  std::string jwt = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").json()["jwt"];
  auto get = [&](const std::string& query) {
    auto r = Call("GET", "/v.1.0/divisions" + query, {{"Authorization", jwt}});
    EXPECT_EQ(r.status, 200) << query << r.body;
    return r.json();
  };
  auto example = get("?countryCodes%5B%5D=PL&limit=100&name=*WROC%C5%81AW*");
  ASSERT_EQ(example["items"].size(), 1u) << example;
  auto d = example["items"][0];
  EXPECT_EQ(d["id"], 1);
  EXPECT_EQ(d["name"], "WROCŁAW 1");
  EXPECT_EQ(d["number"], "50/1");
  EXPECT_EQ(d["countryCode"], "PL");
  EXPECT_EQ(d["settlement"]["region"]["parent"]["name"], "Lower Silesian voivodeship");
  EXPECT_EQ(d["status"], "Working");
  EXPECT_EQ(d["divisionCategory"], "PostBranch");
  EXPECT_TRUE(d["latitude"].is_number_float() && d["longitude"].is_number_float());
  ASSERT_EQ(d["workSchedule"].size(), 7u);
  EXPECT_EQ(d["workSchedule"][0], (nlohmann::json{{"day", "monday"}, {"from", "08:00"}, {"to", "20:00"}}));

  EXPECT_EQ(get("?countryCodes[]=UA")["total"], 3);
  EXPECT_EQ(get("?countryCodes[]=UA&countryCodes[]=HU")["total"], 4);
  EXPECT_EQ(get("?divisionCategories[]=Postomat")["items"][0]["countryCode"], "PL");
  EXPECT_EQ(get("?name=*wars*")["total"], 1);  // ASCII case ignored
  EXPECT_EQ(get("?name=nowhere")["total"], 0);
  auto page2 = get("?limit=2&page=2");
  EXPECT_EQ(page2["items"].size(), 2u);
  EXPECT_EQ(page2["items"][0]["id"], 3);
  EXPECT_EQ(page2["total"], 6);
  // The list envelope of Nova Post's OpenAPI text, as for shipments.
  EXPECT_EQ(page2["current_page"], 2);
  EXPECT_EQ(page2["last_page"], 3);
  EXPECT_EQ(page2["per_page"], 2);
  EXPECT_EQ(page2["from"], 3);
  EXPECT_EQ(page2["to"], 4);
  auto none = get("?name=nowhere");
  EXPECT_EQ(none["last_page"], 1);
  EXPECT_TRUE(none["from"].is_null() && none["to"].is_null()) << none;
  for (const char* bad : {"?limit=0", "?limit=x", "?page=0", "?limit=1001"}) {
    auto r = Call("GET", std::string("/v.1.0/divisions") + bad, {{"Authorization", jwt}});
    EXPECT_EQ(r.status, 422) << bad;
  }
}

}  // namespace
}  // namespace tokenwarden::emulator
