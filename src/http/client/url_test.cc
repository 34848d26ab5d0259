#include "http/client/url.h"

#include <gtest/gtest.h>

namespace tokenwarden::http {
namespace {

TEST(Url, ParsesSchemeHostPortAndTarget) {
  auto u = Url::Parse(
      "HTTPS://API.NovaPost.com/v.1.0/clients/authorization?apiKey=k#frag");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "api.novapost.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v.1.0/clients/authorization?apiKey=k");
  EXPECT_EQ(u->HostHeader(), "api.novapost.com");
  EXPECT_EQ(u->Origin(), "https://api.novapost.com:443");
}

TEST(Url, DefaultsAndExplicitPorts) {
  EXPECT_EQ(Url::Parse("http://localhost")->port, 80);
  EXPECT_EQ(Url::Parse("http://localhost")->target, "/");
  EXPECT_EQ(Url::Parse("http://localhost?x=1")->target, "/?x=1");
  auto u = Url::Parse("http://127.0.0.1:8708/a");
  EXPECT_EQ(u->port, 8708);
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:8708");
  auto v6 = Url::Parse("https://[::1]:9443/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->HostHeader(), "[::1]:9443");
}

TEST(Url, RefusesMalformedUrlsNamingThemWithoutQueryValues) {
  for (const char* bad :
       {"api.novapost.com/x?apiKey=SECRET", "ftp://h/x?apiKey=SECRET",
        "https://:80/?apiKey=SECRET", "https://h:0/?apiKey=SECRET",
        "https://h:99999/?apiKey=SECRET", "https://h:x/?apiKey=SECRET",
        "https://user:pw@h/?apiKey=SECRET", "https://[::1/?apiKey=SECRET",
        "https://h/a b?apiKey=SECRET", "https://h:/?apiKey=SECRET",
        "https://h%20/?apiKey=SECRET"}) {
    auto u = Url::Parse(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(u.error().message.find("SECRET"), std::string::npos)
        << u.error().message;
    EXPECT_EQ(u.error().message.find("pw"), std::string::npos)
        << u.error().message;
    EXPECT_NE(u.error().message.find("apiKey=[redacted]"), std::string::npos)
        << u.error().message;
  }
}

TEST(Url, RedactsQueryValuesAndUserInfo) {
  EXPECT_EQ(RedactUrl("https://h/p?apiKey=abc&x=1&flag"),
            "https://h/p?apiKey=[redacted]&x=[redacted]&flag");
  EXPECT_EQ(RedactUrl("https://u:p@h:1/p#apiKey=abc"), "https://h:1/p");
  EXPECT_EQ(RedactUrl("https://h"), "https://h");
  EXPECT_EQ(Url::Parse("https://h/p?apiKey=abc")->Redacted(),
            "https://h/p?apiKey=[redacted]");
}

TEST(Url, LoopbackHosts) {
  for (const char* h : {"localhost", "LOCALHOST", "127.0.0.1", "127.3.2.1",
                        "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackHost(h)) << h;
  }
  for (const char* h : {"localhost.example.com", "128.0.0.1", "10.0.0.1", "::2",
                        "example.com", ""}) {
    EXPECT_FALSE(IsLoopbackHost(h)) << h;
  }
}

TEST(BaseUrl, HoldsWhatEveryRequestBelowItNeeds) {
  auto b = BaseUrl::Parse("http://127.0.0.1:8708/v.1.0");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->text, "http://127.0.0.1:8708/v.1.0");
  EXPECT_EQ(b->url.target, "/v.1.0");
  EXPECT_EQ(b->origin, "http://127.0.0.1:8708");
  EXPECT_EQ(b->host_header, "127.0.0.1:8708");
  EXPECT_TRUE(b->loopback);

  auto remote = BaseUrl::Parse("HTTPS://API.NovaPost.com");
  ASSERT_TRUE(remote.ok());
  EXPECT_EQ(remote->url.target, "") << "no path: a request's own path follows the host";
  EXPECT_EQ(remote->origin, "https://api.novapost.com:443");
  EXPECT_EQ(remote->host_header, "api.novapost.com");
  EXPECT_FALSE(remote->loopback);

  EXPECT_EQ(BaseUrl::Parse("https://h/")->url.target, "/");
  EXPECT_EQ(BaseUrl::Parse("https://h?x=1")->url.target, "/?x=1");
  auto bad = BaseUrl::Parse("ftp://h/x?key=SECRET");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.find("SECRET"), std::string::npos) << bad.error().message;
}

TEST(Url, EncodesQueryValues) {
  EXPECT_EQ(UrlEncode("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
}

}  // namespace
}  // namespace tokenwarden::http
