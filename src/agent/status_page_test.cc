#include "agent/status_page.h"

#include <gtest/gtest.h>

#include "util/time_format.h"

namespace tokenwarden::agent {
namespace {

using namespace std::chrono_literals;

TimePoint Now() { return *ParseTimestamp("2025-02-27T12:00:00Z"); }

TEST(StatusPage, ShowsStateExpiryInUtcAndKyivAndNextRefresh) {
  AccountView a;
  a.id = "shop";
  a.provider = "alliance";
  a.state = "active";
  a.generation = 4;
  a.expires_at = Now() + 20h;
  a.refresh_at = Now() + 8h;
  a.last_used = Now() - 1h;
  std::string html = RenderStatusPage({a}, Now());
  EXPECT_NE(html.find("<b>shop</b>"), std::string::npos);
  EXPECT_NE(html.find("class=\"state active\">active<"), std::string::npos);
  EXPECT_NE(html.find("2025-02-28T08:00:00Z"), std::string::npos);
  EXPECT_NE(html.find("Kyiv 2025-02-28T10:00:00+02:00"), std::string::npos);
  EXPECT_NE(html.find("in 8h"), std::string::npos);
  EXPECT_NE(html.find("generation 4"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // no external assets
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(StatusPage, ShowsWhatTheDropinListenerSavedOnlyWhenUsed) {
  AccountView a;
  a.id = "shop";
  a.provider = "alliance";
  a.state = "active";
  EXPECT_EQ(RenderStatusPage({a}, Now()).find("drop-in"), std::string::npos);
  a.dropin_authorizations = 80;
  a.dropin_forwarded = 81;
  std::string html = RenderStatusPage({a}, Now());
  EXPECT_NE(html.find("drop-in: 80 authorization(s) answered here (upstream authorizations saved), 81 call(s) "
                      "forwarded"),
            std::string::npos);
}

TEST(StatusPage, WarnsFromDay180AndShowsSupportMessage) {
  AccountView a;
  a.id = "shop";
  a.provider = "alliance";
  a.state = "active";
  a.last_used = Now() - 185 * 24h;
  std::string html = RenderStatusPage({a}, Now());
  EXPECT_NE(html.find("closes access in 15 day(s)"), std::string::npos) << html;

  a.state = "needs_support";
  a.support_message = "ask Alliance Bank support to reopen access, then run tokenwarden authorize shop";
  html = RenderStatusPage({a}, Now());
  EXPECT_NE(html.find("needs_support"), std::string::npos);
  EXPECT_NE(html.find("tokenwarden authorize shop"), std::string::npos);
}

TEST(StatusPage, EscapesEverythingFromOutside) {
  AccountView a;
  a.id = "x";
  a.provider = "novapost";
  a.state = "backoff";
  a.last_error_code = "<script>";
  a.last_error_message = "\"quoted\" & <b>";
  std::string html = RenderStatusPage({a}, Now());
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;quoted&quot; &amp; &lt;b&gt;"), std::string::npos);
}

TEST(StatusPage, ExpiredSessionIsShownAsExpired) {
  AccountView a;
  a.id = "np";
  a.provider = "novapost";
  a.state = "backoff";
  a.expires_at = Now() - 1min;
  EXPECT_NE(RenderStatusPage({a}, Now()).find("class=\"state expired\""), std::string::npos);
}

}  // namespace
}  // namespace tokenwarden::agent
