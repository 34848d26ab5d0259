#include "agent/token_json.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/time_format.h"

namespace tokenwarden::agent {
namespace {

TEST(TokenJson, HasTheDocumentedShape) {
  Session s;
  s.account = "shop";
  s.provider = "alliance";
  s.generation = 7;
  s.expires_at = *ParseTimestamp("2025-02-27 12:12:34.0430 +0000");
  s.refresh_at = *ParseTimestamp("2025-02-27T00:12:34Z");
  s.headers.push_back({"x-api_version", Secret("v1")});
  s.headers.push_back({"x-device_id", Secret("dev-1")});
  s.headers.push_back({"x-refresh_token", Secret("rt-1")});
  s.upstream_state = Secret("{\"authToken\":\"never-shown\"}");
  std::string text = RenderTokenJson(s);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["account"], "shop");
  EXPECT_EQ(j["provider"], "alliance");
  EXPECT_EQ(j["generation"], 7);
  EXPECT_EQ(j["headers"]["x-device_id"], "dev-1");
  EXPECT_EQ(j["headers"]["x-refresh_token"], "rt-1");
  EXPECT_EQ(j["expires_at"], "2025-02-27T12:12:34.043Z");
  EXPECT_EQ(j["expires_at_kyiv"], "2025-02-27T14:12:34.043+02:00");
  EXPECT_EQ(j["refresh_at"], "2025-02-27T00:12:34Z");
  EXPECT_EQ(text.find("never-shown"), std::string::npos);  // upstream state stays inside
}

// A merchant encrypts its REFUND to the session's serverPublic: the token
// answer carries the JWK as the bank gave it, and nothing else of the
// authorization answer.
TEST(TokenJson, AnAllianceSessionCarriesTheBanksServerPublic) {
  const nlohmann::json jwk = {{"kty", "EC"}, {"crv", "P-384"}, {"x", "xx-coordinate"}, {"y", "yy-coordinate"}};
  Session s;
  s.account = "shop";
  s.provider = "alliance";
  s.upstream_state = Secret(nlohmann::json{{"authToken", "never-shown"}, {"serverPublic", jwk}}.dump());
  std::string text = RenderTokenJson(s);
  EXPECT_EQ(nlohmann::json::parse(text)["serverPublic"], jwk);
  EXPECT_EQ(text.find("never-shown"), std::string::npos);

  s.upstream_state = Secret(nlohmann::json{{"serverPublicKey", jwk}}.dump());  // the older name
  EXPECT_EQ(nlohmann::json::parse(RenderTokenJson(s))["serverPublic"], jwk);

  for (const std::string& state :
       {std::string("{}"), std::string("not json"), std::string("{\"serverPublic\":\"text\"}")}) {
    s.upstream_state = Secret(state);
    EXPECT_FALSE(nlohmann::json::parse(RenderTokenJson(s)).contains("serverPublic")) << state;
  }
  s.provider = "novapost";  // no such key at Nova Post, whatever its answer holds
  s.upstream_state = Secret(nlohmann::json{{"serverPublic", jwk}}.dump());
  EXPECT_FALSE(nlohmann::json::parse(RenderTokenJson(s)).contains("serverPublic"));
}

TEST(TokenJsonCache, RendersEachSessionOnceAndFollowsANewOne) {
  auto first = std::make_shared<Session>();
  first->account = "np";
  first->generation = 1;
  first->headers.push_back({"Authorization", Secret("jwt-1")});
  TokenJsonCache cache;
  std::shared_ptr<const Session> current = first;
  EXPECT_EQ(cache.Get(current), RenderTokenJson(*first));
  EXPECT_EQ(cache.Get(current), RenderTokenJson(*first));
  auto second = std::make_shared<Session>(*first);
  second->generation = 2;
  second->headers[0].value = Secret("jwt-2");
  current = second;
  std::string body = cache.Get(current);
  EXPECT_NE(body.find("jwt-2"), std::string::npos) << body;
  EXPECT_EQ(nlohmann::json::parse(body)["generation"], 2);
}

// Readers of different sessions at once (a refresh under load) each get
// the body of the session they asked with.
TEST(TokenJsonCache, ConcurrentReadersOfTwoSessionsEachGetTheirOwn) {
  std::vector<std::shared_ptr<const Session>> sessions;
  for (int g = 1; g <= 2; ++g) {
    auto s = std::make_shared<Session>();
    s->account = "np";
    s->generation = static_cast<uint64_t>(g);
    s->headers.push_back({"Authorization", Secret("jwt-" + std::to_string(g))});
    sessions.push_back(s);
  }
  TokenJsonCache cache;
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const auto& s = sessions[static_cast<size_t>((i + t) % 2)];
        std::string body = cache.Get(s);
        if (body.find("jwt-" + std::to_string(s->generation)) == std::string::npos) wrong.fetch_add(1);
      }
    });
  }
  for (auto& r : readers) r.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace tokenwarden::agent
