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
  EXPECT_EQ(Call("POST", "/v.1.0/shipments", {{"Authorization", jwt}}, "{}").status, 201);
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

TEST_F(NovaPostEmulator, OutagesAreInjectable) {
  Fault({{"kind", "error"}, {"path_prefix", "/v.1.0/"}, {"count", 1}});
  auto r = Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1");
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(r.json().contains("message"));
  EXPECT_EQ(Call("GET", "/v.1.0/clients/authorization?apiKey=np-key-1").status, 200);
}

}  // namespace
}  // namespace tokenwarden::emulator
