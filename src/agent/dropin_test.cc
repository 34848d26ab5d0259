// The drop-in listener's pieces that need no upstream: the session index,
// the upstream-shaped answers, and the [dropin] configuration.
#include <gtest/gtest.h>

#include "agent/config.h"
#include "agent/dropin.h"
#include "agent/session_index.h"
#include "agent/upstream_replies.h"

namespace tokenwarden::agent {
namespace {

TEST(SessionIndex, FindsTheAccountOfEveryNotedCredentialAndForgetsTheOldestPastItsCapacity) {
  SessionIndex index(3);
  index.Note("device-1", "shop");
  index.Note("device-2", "shop");
  index.Note("jwt-1", "delivery");
  index.Note("device-1", "shop");  // again: no second place
  EXPECT_EQ(index.Find("device-1"), "shop");
  EXPECT_EQ(index.Find("jwt-1"), "delivery");
  EXPECT_EQ(index.Find("device-3"), "");
  EXPECT_EQ(index.Find(""), "");
  index.Note("device-3", "shop");
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.Find("device-1"), "") << "the oldest was forgotten";
  EXPECT_EQ(index.Find("device-3"), "shop");
}

http::Request RequestTo(std::string target, http::Headers headers = {}) {
  http::Request r;
  r.method = "POST";
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

TEST(UpstreamReplies, TheUpstreamIsJudgedFromThePathOrTheBanksHeader) {
  EXPECT_EQ(UpstreamOf(RequestTo("/api-gateway/authorize_virtual_device")), Upstream::kAlliance);
  EXPECT_EQ(UpstreamOf(RequestTo("/shop/ecom/execute_request/hpp/v1/operations?x=1")), Upstream::kAlliance);
  EXPECT_EQ(UpstreamOf(RequestTo("/anything", {{"x-device_id", "d"}})), Upstream::kAlliance);
  EXPECT_EQ(UpstreamOf(RequestTo("/v.1.0/divisions")), Upstream::kNovaPost);
  EXPECT_EQ(UpstreamOf(RequestTo("/clients/authorization?apiKey=k")), Upstream::kNovaPost);
}

TEST(UpstreamReplies, TheBanksErrorHasEveryFieldOfItsDocumentedShape) {
  auto r = AllianceError(401, "b_auth_token_expired", "closed");
  EXPECT_EQ(r.status, 401);
  auto j = nlohmann::json::parse(r.body);
  for (const char* f : {"requestId", "serviceId", "msgCode", "msgType", "msgText", "isLocalized", "msgAttrs",
                        "errorCauses"}) {
    EXPECT_TRUE(j.contains(f)) << f;
  }
  EXPECT_EQ(j["msgCode"], "b_auth_token_expired");
  EXPECT_EQ(j["msgType"], "ERROR");
  EXPECT_EQ(j["serviceId"], "api-gateway");
  EXPECT_EQ(j["requestId"].get<std::string>().size(), 36u);
  auto np = NovaPostError(401, "Unauthorized");
  EXPECT_EQ(nlohmann::json::parse(np.body), nlohmann::json({{"message", "Unauthorized"}}));
}

TEST(UpstreamReplies, ARefusedRequestIsAnsweredInTheShapeItsTargetNames) {
  auto bank = DropinApi::ServerError(413, "the body is larger than 8388608 bytes", "/ecom/execute_request/x");
  EXPECT_EQ(bank.status, 413);
  auto j = nlohmann::json::parse(bank.body);
  EXPECT_EQ(j["msgType"], "ERROR");
  EXPECT_NE(j["msgText"].get<std::string>().find("8388608"), std::string::npos);
  auto unread = nlohmann::json::parse(DropinApi::ServerError(413, "too large", "").body);
  EXPECT_EQ(unread["msgType"], "ERROR") << "a target not read yet: both shapes";
  EXPECT_NE(unread["message"].get<std::string>().find("too large"), std::string::npos);
  auto np = DropinApi::ServerError(431, "header too large", "/v.1.0/divisions");
  EXPECT_EQ(np.status, 431);
  EXPECT_NE(nlohmann::json::parse(np.body)["message"].get<std::string>().find("header too large"),
            std::string::npos);
}

const char* kAccounts = R"toml(
[[account]]
id = "shop"
provider = "alliance"
service_code = "code"
private_jwk_file = "/k.json"
)toml";

TEST(DropinConfig, OffByDefaultAndReadWhereGiven) {
  auto off = ParseConfig(kAccounts, "t.toml", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(off.ok()) << off.error().ToString();
  EXPECT_EQ(off->dropin_listen, "");
  EXPECT_EQ(off->accounts[0].dropin_listen, "");
  auto on = ParseConfig(std::string("[dropin]\nlisten = \"127.0.0.1:8708\"\n") + kAccounts +
                            "dropin_listen = \"unix:/run/tw-shop.sock\"\n",
                        "t.toml", [](const std::string&) { return std::nullopt; });
  ASSERT_TRUE(on.ok()) << on.error().ToString();
  EXPECT_EQ(on->dropin_listen, "127.0.0.1:8708");
  EXPECT_EQ(on->accounts[0].dropin_listen, "unix:/run/tw-shop.sock");
}

TEST(DropinConfig, ErrorsNameTheTableAndField) {
  auto none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto bad = ParseConfig(std::string("[dropin]\nlisten = \"8708\"\n") + kAccounts, "t.toml", none);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("[dropin]"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("listen"), std::string::npos) << bad.error().message;
  auto unknown = ParseConfig(std::string("[dropin]\nlisten = \"127.0.0.1:1\"\nport = 3\n") + kAccounts, "t.toml", none);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("port"), std::string::npos) << unknown.error().message;
  auto own = ParseConfig(std::string(kAccounts) + "dropin_listen = \"nowhere\"\n", "t.toml", none);
  ASSERT_FALSE(own.ok());
  EXPECT_NE(own.error().message.find("dropin_listen"), std::string::npos) << own.error().message;
  EXPECT_NE(own.error().message.find("shop"), std::string::npos) << own.error().message;
}

}  // namespace
}  // namespace tokenwarden::agent
