#include "agent/account_runtime.h"

#include <gtest/gtest.h>

#include <functional>

namespace tokenwarden::agent {
namespace {

AccountConfig Base() {
  AccountConfig c;
  c.id = "shop";
  c.provider = "alliance";
  c.base_urls = {"https://a.example", "https://b.example"};
  c.ca_file = "/etc/ca.pem";
  c.service_code = Secret("service-code");
  c.private_jwk_file = "/etc/key.jwk.json";
  c.api_key = Secret("api-key");
  return c;
}

// A reload rebuilds an account exactly when one of its settings changed:
// each field, changed alone, changes the settings.
TEST(AccountSettings, DifferExactlyWhenAFieldDiffers) {
  EXPECT_EQ(AccountSettings(Base()), AccountSettings(Base()));
  const std::vector<std::pair<const char*, std::function<void(AccountConfig&)>>> changes = {
      {"id", [](AccountConfig& c) { c.id = "shop2"; }},
      {"provider", [](AccountConfig& c) { c.provider = "novapost"; }},
      {"base_urls (one more)", [](AccountConfig& c) { c.base_urls.push_back("https://c.example"); }},
      {"base_urls (order)", [](AccountConfig& c) { std::swap(c.base_urls[0], c.base_urls[1]); }},
      {"allow_insecure_http", [](AccountConfig& c) { c.allow_insecure_http = true; }},
      {"ca_file", [](AccountConfig& c) { c.ca_file = "/etc/other.pem"; }},
      {"timeout", [](AccountConfig& c) { c.timeout = std::chrono::seconds(31); }},
      {"pipeline", [](AccountConfig& c) { c.pipeline = 8; }},
      {"service_code", [](AccountConfig& c) { c.service_code = Secret("service-codf"); }},
      {"private_jwk_file", [](AccountConfig& c) { c.private_jwk_file = "/etc/key2.jwk.json"; }},
      {"refresh_every", [](AccountConfig& c) { c.refresh_every = std::chrono::hours(8); }},
      {"api_version", [](AccountConfig& c) { c.api_version = "v2"; }},
      {"api_key", [](AccountConfig& c) { c.api_key = Secret("api-kez"); }},
      {"max_active_sessions", [](AccountConfig& c) { c.max_active_sessions = 1; }},
  };
  for (const auto& [field, change] : changes) {
    AccountConfig c = Base();
    change(c);
    EXPECT_FALSE(AccountSettings(c) == AccountSettings(Base())) << field;
  }
}

// A reload cannot move a listener, so the account's own drop-in address is
// no reason to rebuild it (and lose nothing by keeping it).
TEST(AccountSettings, TheDropinListenerIsNotASetting) {
  AccountConfig c = Base();
  c.dropin_listen = "127.0.0.1:8709";
  EXPECT_TRUE(AccountSettings(c) == AccountSettings(Base()));
}

// Fields are length-prefixed: text cannot move from one field to the next.
TEST(AccountSettings, TextCannotMoveBetweenFields) {
  AccountConfig a = Base();
  AccountConfig b = Base();
  a.id = "ab";
  a.provider = "c";
  b.id = "a";
  b.provider = "bc";
  EXPECT_FALSE(AccountSettings(a) == AccountSettings(b));
  a = Base();
  b = Base();
  a.base_urls = {"x", "y"};
  b.base_urls = {"xy"};
  EXPECT_FALSE(AccountSettings(a) == AccountSettings(b));
}

}  // namespace
}  // namespace tokenwarden::agent
