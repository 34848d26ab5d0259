#include "agent/config.h"

#include <gtest/gtest.h>

#include <map>

namespace tokenwarden::agent {
namespace {

using namespace std::chrono_literals;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const char* kExample = R"toml(
[agent]
listen = "127.0.0.1:8707"
state_dir = "/var/lib/tokenwarden"

[[account]]
id = "shop"
provider = "alliance"
base_url = "https://api-ecom-prod.bankalliance.ua"
service_code = "${ALLIANCE_SERVICE_CODE}"
private_jwk_file = "/etc/tokenwarden/alliance.jwk.json"
refresh_every = "12h"

[[account]]
id = "delivery"
provider = "novapost"
base_url = "https://api.novapost.com/v.1.0"
api_key = "${NOVAPOST_API_KEY}"
)toml";

Result<AgentConfig> Parse(const std::string& text,
                          std::map<std::string, std::string> vars = {
                              {"ALLIANCE_SERVICE_CODE", "6f1c-code"}, {"NOVAPOST_API_KEY", "np-key"}}) {
  return ParseConfig(text, "tokenwarden.toml", Env(vars));
}

// The message of a config that must fail.
std::string ErrorOf(const std::string& text) {
  auto c = Parse(text);
  EXPECT_FALSE(c.ok());
  return c.ok() ? "" : c.error().message;
}

TEST(Config, ParsesTheDocumentedExample) {
  auto c = Parse(kExample);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen, "127.0.0.1:8707");
  EXPECT_EQ(c->master_key_file, "/var/lib/tokenwarden/master.key");
  ASSERT_EQ(c->accounts.size(), 2u);
  const AccountConfig* shop = c->FindAccount("shop");
  ASSERT_NE(shop, nullptr);
  EXPECT_EQ(shop->provider, "alliance");
  EXPECT_EQ(shop->service_code.reveal(), "6f1c-code");
  EXPECT_EQ(shop->refresh_every, 12h);
  EXPECT_EQ(shop->private_jwk_file, "/etc/tokenwarden/alliance.jwk.json");
  const AccountConfig* delivery = c->FindAccount("delivery");
  ASSERT_NE(delivery, nullptr);
  EXPECT_EQ(delivery->api_key.reveal(), "np-key");
  EXPECT_EQ(delivery->base_urls, std::vector<std::string>{"https://api.novapost.com/v.1.0"});
}

TEST(Config, DefaultsAreSafe) {
  auto c = Parse(R"toml(
[[account]]
id = "np"
provider = "novapost"
api_key = "k"
)toml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen, "127.0.0.1:8707");  // loopback only
  EXPECT_EQ(c->accounts[0].base_urls.size(), 2u);  // both official hosts, failover
  // 2: a renewed token overlaps the old one instead of leaving a gap.
  EXPECT_EQ(c->accounts[0].max_active_sessions, 2);
  EXPECT_FALSE(c->accounts[0].allow_insecure_http);
  EXPECT_EQ(c->accounts[0].timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->accounts[0].pipeline, 0u);  // one request per upstream connection at a time
}

TEST(Config, LeaseTtlIsReadAndBounded) {
  std::string np = "[[account]]\nid='np'\nprovider='novapost'\napi_key='k'\n";
  auto c = Parse("[agent]\nlease_ttl='5s'\n" + np);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->lease_ttl, std::chrono::seconds(5));
  EXPECT_EQ(Parse(np)->lease_ttl, std::chrono::seconds(30));
  EXPECT_NE(ErrorOf("[agent]\nlease_ttl='1h'\n" + np).find("field 'lease_ttl': '1h' is outside 1s..5m"), std::string::npos);
}

TEST(Config, PipelineIsReadAndBounded) {
  std::string np = "[[account]]\nid='np'\nprovider='novapost'\napi_key='k'\n";
  auto c = Parse(np + "pipeline=8\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->accounts[0].pipeline, 8u);
  for (const char* bad : {"pipeline=65\n", "pipeline=-1\n"}) {
    EXPECT_NE(ErrorOf(np + bad).find("account #1 (id 'np'): field 'pipeline': must be 0..64"), std::string::npos)
        << ErrorOf(np + bad);
  }
  EXPECT_NE(ErrorOf(np + "pipeline='yes'\n").find("field 'pipeline'"), std::string::npos);
}

TEST(Config, UpstreamTimeoutIsReadAndBounded) {
  std::string np = "[[account]]\nid='np'\nprovider='novapost'\napi_key='k'\n";
  auto c = Parse(np + "timeout='2500ms'\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->accounts[0].timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(ErrorOf(np + "timeout='10m'\n"),
            "tokenwarden.toml: account #1 (id 'np'): field 'timeout': '10m' is outside 100ms..5m");
  EXPECT_NE(ErrorOf(np + "timeout='soon'\n").find("field 'timeout'"), std::string::npos);
}

TEST(Config, MissingEnvironmentVariableNamesFileAccountFieldAndVariable) {
  auto c = Parse(kExample, {{"ALLIANCE_SERVICE_CODE", "x"}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "tokenwarden.toml: account #2 (id 'delivery'): field 'api_key': environment "
            "variable NOVAPOST_API_KEY is not set");
}

TEST(Config, EscapedDollarIsLiteral) {
  auto c = Parse(R"toml(
[[account]]
id = "np"
provider = "novapost"
api_key = "a$${b}"
)toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->accounts[0].api_key.reveal(), "a${b}");
}

TEST(Config, ErrorsNameTheField) {
  EXPECT_NE(ErrorOf("[[account]]\nid='s'\nprovider='alliance'\nservice_code='c'\n"
                    "private_jwk_file='k'\nrefresh_every='25h'\n")
                .find("account #1 (id 's'): field 'refresh_every': '25h' is outside 1h..23h"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[account]]\nid='s'\nprovider='alliance'\nprivate_jwk_file='k'\n")
                .find("field 'service_code': is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[account]]\nid='s'\nprovider='paypal'\n").find("field 'provider': 'paypal'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[account]]\nid='s'\nprovider='novapost'\napi_key='k'\nrefresh='1h'\n")
                .find("unknown field 'refresh'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[account]]\nid='../etc'\nprovider='novapost'\napi_key='k'\n")
                .find("field 'id'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[[account]]\nid='a'\nprovider='novapost'\napi_key='k'\n"
                    "[[account]]\nid='a'\nprovider='novapost'\napi_key='k'\n")
                .find("account #2: field 'id': 'a' is used by an earlier account"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[agent]\nlisten='8707'\n[[account]]\nid='a'\nprovider='novapost'\napi_key='k'\n")
                .find("[agent]: field 'listen'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[agnet]\n").find("unknown table 'agnet'"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("no [[account]]"), std::string::npos);
}

TEST(Config, TomlSyntaxErrorsCarryLineAndColumn) {
  std::string msg = ErrorOf("[agent]\nlisten = \n");
  EXPECT_EQ(msg.rfind("tokenwarden.toml:2:", 0), 0u) << msg;
}

TEST(Config, AStrayCyrillicLetterInAKeyIsNamedNotParsed) {
  // "lіsten" with U+0456 for the i: toml++ 3.3.0 alone reached undefined
  // behaviour here (util/toml_text.h).
  std::string msg = ErrorOf("[agent]\nl\xD1\x96sten = \"127.0.0.1:8700\"\n");
  EXPECT_EQ(msg.rfind("tokenwarden.toml:2:2: a non-ASCII character (U+0456) outside a quoted string", 0), 0u) << msg;
  EXPECT_TRUE(Parse("[[account]]\nid='a'\nprovider='novapost'\napi_key='ключ'\n"
                    "base_url='http://127.0.0.1:9000/v.1.0'\n").ok());
}

TEST(Config, PlainHttpOnlyToLoopbackUnlessAllowed) {
  const char* remote = "[[account]]\nid='a'\nprovider='novapost'\napi_key='k'\n"
                       "base_url='http://api.novapost.com/v.1.0'\n";
  EXPECT_NE(ErrorOf(remote).find("plain http://"), std::string::npos);
  EXPECT_TRUE(Parse(std::string(remote) + "allow_insecure_http=true\n").ok());
  EXPECT_TRUE(Parse("[[account]]\nid='a'\nprovider='novapost'\napi_key='k'\n"
                    "base_url='http://127.0.0.1:9000/v.1.0'\n").ok());
  EXPECT_NE(ErrorOf("[[account]]\nid='a'\nprovider='novapost'\napi_key='k'\n"
                    "base_url='http://127.example.com/v.1.0'\n").find("plain http://"),
            std::string::npos);
}

TEST(Config, ClientsMayOnlyNameConfiguredAccounts) {
  std::string base = std::string(kExample) +
                     "[[client]]\nname='php'\ntoken='0123456789abcdef0'\naccounts=['shop']\n";
  auto c = Parse(base);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->clients[0].accounts, std::vector<std::string>{"shop"});
  std::string bad = std::string(kExample) +
                    "[[client]]\nname='php'\ntoken='0123456789abcdef0'\naccounts=['nope']\n";
  EXPECT_NE(ErrorOf(bad).find("no account 'nope'"), std::string::npos);
}

TEST(Config, SecretsNeverAppearInErrors) {
  // A bad field after a secret one: the message names fields, not values.
  auto c = Parse("[[account]]\nid='a'\nprovider='novapost'\napi_key='SUPERSECRET'\nmax_active_sessions=0\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.find("SUPERSECRET"), std::string::npos);
}

}  // namespace
}  // namespace tokenwarden::agent

namespace tokenwarden::agent {
namespace {

TEST(Config, TheShippedExampleParses) {
  auto c = LoadConfig(std::string(TW_SOURCE_DIR) + "/examples/tokenwarden.toml",
                      Env({{"ALLIANCE_SERVICE_CODE", "c"}, {"NOVAPOST_API_KEY", "k"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->accounts.size(), 2u);
  EXPECT_EQ(c->accounts[1].base_urls.size(), 2u);
}

}  // namespace
}  // namespace tokenwarden::agent
