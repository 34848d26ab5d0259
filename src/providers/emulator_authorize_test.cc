// Both providers against the emulator over loopback HTTP: authorize, use the
// session on the emulated API, and judge the emulator's faults.
#include <gtest/gtest.h>

#include "emulator/emulator_test_util.h"
#include "providers/alliance_provider.h"
#include "providers/novapost_provider.h"
#include "testing/run_awaitable.h"
#include "testing/subprocess.h"

namespace tokenwarden::providers {
namespace {

using tokenwarden::testing::RunAwaitable;

class ProvidersOnEmulatorTest : public emulator::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    client_ = *http::MakeHttpClient();
  }
  void TearDown() override {
    client_->CloseIdle();
    EmulatorFixture::TearDown();
  }

  std::string Base() const {
    return "http://127.0.0.1:" + std::to_string(server_->port());
  }

  std::shared_ptr<Provider> Alliance() {
    AllianceConfig c;
    c.base_url = Base();
    c.service_code = Secret(kCode);
    c.private_key = merchant_key_;
    auto p = MakeAllianceProvider(std::move(c), client_, clock_);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return std::move(*p);
  }

  std::shared_ptr<Provider> NovaPost(std::vector<std::string> bases,
                                     const std::string& key = "np-key-1") {
    NovaPostConfig c;
    c.base_urls = std::move(bases);
    c.api_key = Secret(key);
    auto p = MakeNovaPostProvider(std::move(c), client_, clock_);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return std::move(*p);
  }

  AuthorizeResult Authorize(Provider& p) {
    return RunAwaitable(ioc_, p.Authorize());
  }

  // One API call with the provider's headers, judged by the provider.
  Verdict Use(Provider& p, const Session& s, const std::string& method,
              const std::string& path, const std::string& body = "") {
    http::ClientRequest request{method, Base() + path, {}, body};
    for (auto& h : p.RequestHeaders(s)) request.headers.push_back(h);
    request.headers.emplace_back("Content-Type", "application/json");
    auto r = RunAwaitable(ioc_, client_->Send(request));
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (!r.ok()) return {};
    return p.Classify({r->status, r->headers, r->body});
  }
  Verdict CreateOrder(Provider& p, const Session& s) {
    return Use(p, s, "POST", "/ecom/execute_request/hpp/v1/create-order",
               testing::ExampleOrderBody("m-1", 100));
  }

  boost::asio::io_context ioc_;
  std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(FromUnixSeconds(1740658354));
  std::shared_ptr<http::HttpClient> client_;
};

TEST_F(ProvidersOnEmulatorTest, AllianceAuthorizesAndTheSessionWorks) {
  auto p = Alliance();
  AuthorizeResult r = Authorize(*p);
  ASSERT_EQ(r.verdict.action, Action::kOk)
      << r.verdict.code << ": " << r.verdict.message;
  const Session& s = *r.session;
  EXPECT_EQ(s.issued_at, clock_->Now());
  EXPECT_NEAR(std::chrono::duration<double>(s.expires_at - s.issued_at).count(),
              24 * 3600.0, 1.0);
  EXPECT_EQ(r.verdict.code, "") << r.verdict.message;
  auto state = nlohmann::json::parse(s.upstream_state.reveal());
  for (const char* field :
       {"authToken", "deviceId", "refreshToken", "serverPublic",
        "tokenExpirationDateTime", "tokenExpiration"}) {
    EXPECT_TRUE(state.contains(field)) << field;
  }
  EXPECT_EQ(CreateOrder(*p, s).action, Action::kOk);
  EXPECT_EQ(Stats()["alliance"][kCode]["authorizations"], 1);
}

TEST_F(ProvidersOnEmulatorTest, AllianceSessionRejectionsAskForANewSession) {
  auto p = Alliance();
  Session s = *Authorize(*p).session;
  ASSERT_EQ(Call("POST", "/_emulator/alliance/sessions/kill", {},
                 nlohmann::json{{"serviceCode", kCode}}.dump())
                .status,
            200);
  Verdict killed = CreateOrder(*p, s);
  EXPECT_EQ(killed.action, Action::kReauthorize);
  EXPECT_EQ(killed.code, "b_session_doesnt_exist");

  Session fresh = *Authorize(*p).session;
  Advance(25 * 3600);
  Verdict expired = CreateOrder(*p, fresh);
  EXPECT_EQ(expired.action, Action::kReauthorize);
  EXPECT_EQ(expired.code, "b_expired_token");

  Session again = *Authorize(*p).session;
  Session missing_refresh = again;
  missing_refresh.headers.pop_back();
  Verdict bug = CreateOrder(*p, missing_refresh);
  EXPECT_EQ(bug.action, Action::kReauthorize);
  EXPECT_EQ(bug.code, "b_refresh_token_absent");
}

TEST_F(ProvidersOnEmulatorTest,
       AllianceInactivityNeedsSupportThenNewParametersReplaceTheOld) {
  auto p = Alliance();
  AuthorizeResult before = Authorize(*p);
  ASSERT_EQ(before.verdict.action, Action::kOk);
  ASSERT_EQ(Call("POST", "/_emulator/alliance/inactivity", {},
                 nlohmann::json{{"serviceCode", kCode}, {"days", 201}}.dump())
                .status,
            200);
  Verdict closed = CreateOrder(*p, *before.session);
  EXPECT_EQ(closed.action, Action::kNeedsSupport);
  EXPECT_EQ(closed.code, "b_auth_token_expired");
  AuthorizeResult refused = Authorize(*p);
  EXPECT_EQ(refused.verdict.action, Action::kNeedsSupport)
      << refused.verdict.message;
  EXPECT_FALSE(refused.session.has_value());

  ASSERT_EQ(Call("POST", "/_emulator/alliance/reopen", {},
                 nlohmann::json{{"serviceCode", kCode}}.dump())
                .status,
            200);
  AuthorizeResult after = Authorize(*p);
  ASSERT_EQ(after.verdict.action, Action::kOk) << after.verdict.message;
  auto old_state =
      nlohmann::json::parse(before.session->upstream_state.reveal());
  auto new_state =
      nlohmann::json::parse(after.session->upstream_state.reveal());
  EXPECT_NE(old_state["serverPublic"], new_state["serverPublic"]);
  EXPECT_NE(old_state["deviceId"], new_state["deviceId"]);
  EXPECT_EQ(CreateOrder(*p, *after.session).action, Action::kOk);
}

TEST_F(ProvidersOnEmulatorTest, AllianceAuthorizeFaults) {
  auto p = Alliance();
  Fault({{"kind", "error"},
         {"msgCode", "b_server_is_overloaded"},
         {"path_prefix", "/api-gateway/"}});
  AuthorizeResult overloaded = Authorize(*p);
  EXPECT_EQ(overloaded.verdict.action, Action::kRetryLater);
  EXPECT_EQ(overloaded.verdict.code, "b_server_is_overloaded");

  Fault({{"kind", "wrong_key_jwe"}, {"path_prefix", "/api-gateway/"}});
  EXPECT_EQ(Authorize(*p).verdict.code, "bad_jwe");

  Fault({{"kind", "truncate"}, {"path_prefix", "/api-gateway/"}});
  EXPECT_EQ(Authorize(*p).verdict.code, "malformed_answer");

  Fault({{"kind", "malformed"}, {"path_prefix", "/api-gateway/"}});
  EXPECT_EQ(Authorize(*p).verdict.action, Action::kRetryLater);

  Fault({{"kind", "drop"}, {"path_prefix", "/api-gateway/"}});
  AuthorizeResult dropped = Authorize(*p);
  EXPECT_EQ(dropped.verdict.action, Action::kRetryLater);
  EXPECT_EQ(dropped.verdict.code, "unavailable") << dropped.verdict.message;

  EXPECT_EQ(Authorize(*p).verdict.action, Action::kOk)
      << "faults were one-shot";
}

TEST_F(ProvidersOnEmulatorTest, AllianceUnknownServiceCodeIsFatal) {
  AllianceConfig c;
  c.base_url = Base();
  c.service_code = Secret("00000000-0000-4000-8000-0000000000ff");
  c.private_key = merchant_key_;
  auto p = *MakeAllianceProvider(std::move(c), client_, clock_);
  AuthorizeResult r = Authorize(*p);
  EXPECT_EQ(r.verdict.action, Action::kFatal) << r.verdict.message;
  EXPECT_EQ(r.verdict.message.find("00000000-0000-4000-8000-0000000000ff"),
            std::string::npos);
}

TEST_F(ProvidersOnEmulatorTest, NovaPostAuthorizesAndTheTokenWorks) {
  auto p = NovaPost({Base() + "/v.1.0"});
  AuthorizeResult r = Authorize(*p);
  ASSERT_EQ(r.verdict.action, Action::kOk) << r.verdict.message;
  const Session& s = *r.session;
  EXPECT_EQ(s.expires_at - s.issued_at, std::chrono::hours(1));
  ASSERT_EQ(s.headers.size(), 1u);
  EXPECT_EQ(s.headers[0].name, "Authorization");
  EXPECT_EQ(s.headers[0].value.reveal().substr(0, 3), "eyJ")
      << "no Bearer prefix";
  EXPECT_EQ(s.upstream_state.reveal(), "{}") << "the token is kept once, in its header";
  EXPECT_EQ(Use(*p, s, "GET", "/v.1.0/divisions").action, Action::kOk);

  ASSERT_EQ(
      Call("POST", "/_emulator/novapost/revoke", {}, R"({"apiKey":"np-key-1"})")
          .status,
      200);
  Verdict revoked = Use(*p, s, "GET", "/v.1.0/divisions");
  EXPECT_EQ(revoked.action, Action::kReauthorize);
  EXPECT_EQ(revoked.code, "http_401");
}

TEST_F(ProvidersOnEmulatorTest, NovaPostUnknownKeyIsFatalAndNeverEchoed) {
  auto p = NovaPost({Base() + "/v.1.0"}, "np-unknown-SECRET");
  AuthorizeResult r = Authorize(*p);
  EXPECT_EQ(r.verdict.action, Action::kFatal);
  EXPECT_EQ(r.verdict.code, "http_401");
  EXPECT_EQ(r.verdict.message.find("SECRET"), std::string::npos)
      << r.verdict.message;
}

TEST_F(ProvidersOnEmulatorTest, NovaPostFailsOverOnRefusedConnectionsAnd5xx) {
  int dead = tokenwarden::testing::FreeLoopbackPort();
  auto p = NovaPost({"http://127.0.0.1:" + std::to_string(dead) + "/v.1.0",
                     Base() + "/v.1.0"});
  EXPECT_EQ(Authorize(*p).verdict.action, Action::kOk);

  auto twice = NovaPost({Base() + "/v.1.0", Base() + "/v.1.0"});
  Fault({{"kind", "status"},
         {"status", 503},
         {"path_prefix", "/v.1.0/clients/"}});
  AuthorizeResult second = Authorize(*twice);
  EXPECT_EQ(second.verdict.action, Action::kOk) << second.verdict.message;

  Fault({{"kind", "status"},
         {"status", 503},
         {"path_prefix", "/v.1.0/clients/"},
         {"count", 2}});
  AuthorizeResult both = Authorize(*twice);
  EXPECT_EQ(both.verdict.action, Action::kRetryLater);
  EXPECT_EQ(both.verdict.code, "http_503");
  EXPECT_NE(both.verdict.message.find("every Nova Post base URL failed"),
            std::string::npos);

  Fault({{"kind", "status"},
         {"status", 422},
         {"path_prefix", "/v.1.0/clients/"}});
  EXPECT_EQ(Authorize(*twice).verdict.action, Action::kFatal)
      << "a 4xx is not worth another host";
  EXPECT_EQ(Stats()["novapost"]["np-key-1"]["authorizations"], 2);
}

}  // namespace
}  // namespace tokenwarden::providers
