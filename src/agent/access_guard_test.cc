#include "agent/access_guard.h"

#include <gtest/gtest.h>

#include <map>

namespace tokenwarden::agent {
namespace {

HeaderLookup Headers(std::map<std::string, std::string> h) {
  return [h](std::string_view name) -> std::optional<std::string_view> {
    auto it = h.find(std::string(name));
    if (it == h.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

const std::map<std::string, std::string> kGood = {{"tokenwarden-request", "1"}};

TEST(AccessGuard, V1NeedsTheRequestHeader) {
  AccessGuard guard({});
  EXPECT_TRUE(guard.Check(Headers(kGood), true, "shop").allowed);
  auto d = guard.Check(Headers({}), true, "shop");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.status, 403);
  EXPECT_NE(d.message.find("Tokenwarden-Request: 1"), std::string::npos);
  EXPECT_FALSE(guard.Check(Headers({{"tokenwarden-request", "true"}}), true, "shop").allowed);
  // The proxy does not need it.
  EXPECT_TRUE(guard.Check(Headers({}), false, "shop").allowed);
}

TEST(AccessGuard, BrowsersAndRelaysAreRefusedEverywhere) {
  AccessGuard guard({});
  for (const char* h : {"origin", "x-forwarded-for"}) {
    auto headers = kGood;
    headers[h] = "http://evil.example";
    auto v1 = guard.Check(Headers(headers), true, "shop");
    EXPECT_FALSE(v1.allowed) << h;
    EXPECT_EQ(v1.status, 403);
    EXPECT_FALSE(guard.Check(Headers(headers), false, "shop").allowed) << h;
  }
}

TEST(AccessGuard, ClientTokensLimitAccounts) {
  std::vector<ClientConfig> clients;
  clients.push_back({"php", Secret("php-token-0123456789"), {"shop"}});
  clients.push_back({"ops", Secret("ops-token-0123456789"), {"*"}});
  AccessGuard guard(clients);

  auto with = [&](const std::string& token) {
    auto h = kGood;
    h["authorization"] = "Bearer " + token;
    return Headers(h);
  };
  EXPECT_TRUE(guard.Check(with("php-token-0123456789"), true, "shop").allowed);
  auto other = guard.Check(with("php-token-0123456789"), true, "delivery");
  EXPECT_FALSE(other.allowed);
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.message.find("'delivery'"), std::string::npos);
  EXPECT_FALSE(guard.Check(with("php-token-0123456789"), true, "").allowed);  // operator call
  EXPECT_TRUE(guard.Check(with("ops-token-0123456789"), true, "").allowed);
  EXPECT_TRUE(guard.Check(with("ops-token-0123456789"), false, "delivery").allowed);

  auto none = guard.Check(Headers(kGood), true, "shop");
  EXPECT_EQ(none.status, 401);
  auto wrong = guard.Check(with("php-token-012345678X"), true, "shop");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.message.find("php-token"), std::string::npos);  // never echoes the token
}

}  // namespace
}  // namespace tokenwarden::agent
