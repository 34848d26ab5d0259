// Alliance authorize over real HTTP (and TLS) against nginx serving canned
// answers in each shape the bank uses, with a JWE made here for our key.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "jose/jwe.h"
#include "providers/alliance_provider.h"
#include "testing/nginx_server.h"
#include "testing/run_awaitable.h"

namespace tokenwarden::providers {
namespace {

using tokenwarden::testing::RunAwaitable;

const TimePoint kNow = FromUnixSeconds(1740571954);

class AllianceOnNginxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = new jose::EcKey(*jose::EcKey::Generate(jose::Curve::kP384));
    nlohmann::json payload = {
        {"authToken", "a-1"},
        {"deviceId", "d-1"},
        {"refreshToken", "r-1"},
        {"serverPublic", {{"kty", "EC"}}},
        {"tokenExpirationDateTime", "2025-02-27 12:12:34.0430 +0000"},
        {"tokenExpiration", "2025-02-27 14:12:34.043+02:00"}};
    std::string jwe = *jose::EncryptCompact(payload.dump(), key_->PublicOnly());
    std::string error =
        R"({"requestId":"r","serviceId":"api-gateway","msgCode":"b_auth_token_expired",)"
        R"("msgType":"ERROR","msgText":"closed","isLocalized":false,"msgAttrs":{},"errorCauses":[]})";
    std::string busy =
        R"({"requestId":"r","msgCode":"b_server_is_overloaded","msgType":"ERROR"})";
    dir_ =
        new std::string(tokenwarden::testing::MakeTempDir("tw-alliance-nginx"));
    std::string why;
    auto pki = tokenwarden::testing::MakeTestPki(*dir_, {"localhost"}, &why);
    ASSERT_FALSE(pki.ca_cert.empty()) << why;
    ca_file_ = new std::string(pki.ca_cert);
    port_ = tokenwarden::testing::FreeLoopbackPort();
    tls_port_ = tokenwarden::testing::FreeLoopbackPort();
    auto at = [](const std::string& prefix, const std::string& answer) {
      return "    location = /" + prefix +
             "/api-gateway/authorize_virtual_device { default_type "
             "application/json; " +
             answer + " }\n";
    };
    std::string locations =
        at("jwe", "return 200 '{\"jwe\":\"" + jwe + "\"}';") +
        at("data", "return 200 '{\"data\":\"" + jwe + "\"}';") +
        at("bare", "return 200 '" + jwe + "';") +
        at("error", "return 401 '" + error + "';") +
        at("busy",
           "add_header Retry-After 17 always; return 503 '" + busy + "';") +
        at("truncated", "return 200 '{\"jwe\":\"" + jwe.substr(0, 40) + "';") +
        at("html", "return 502 '<html>bad gateway</html>';");
    std::string conf =
        "  server {\n    listen 127.0.0.1:" + std::to_string(port_) + ";\n" +
        locations +
        "  }\n  server {\n    listen 127.0.0.1:" + std::to_string(tls_port_) +
        " ssl;\n" + "    ssl_certificate " + pki.server_cert +
        ";\n    ssl_certificate_key " + pki.server_key + ";\n" + locations +
        "  }\n";
    nginx_ = tokenwarden::testing::NginxServer::Start(*dir_, conf,
                                                      {port_, tls_port_}, &why)
                 .release();
    ASSERT_NE(nginx_, nullptr) << why;
  }
  static void TearDownTestSuite() {
    delete nginx_;
    if (dir_) std::filesystem::remove_all(*dir_);
  }
  void TearDown() override {
    if (client_) client_->CloseIdle();
  }

  AuthorizeResult AuthorizeAt(const std::string& base,
                              http::HttpClientOptions options = {}) {
    client_ = *http::MakeHttpClient(options);
    AllianceConfig c;
    c.base_url = base;
    c.service_code = Secret("6f1c0a3e-0000-4000-8000-000000000001");
    c.private_key = *key_;
    auto p = MakeAllianceProvider(std::move(c), client_,
                                  std::make_shared<ManualClock>(kNow));
    EXPECT_TRUE(p.ok()) << p.error().message;
    return RunAwaitable(ioc_, (*p)->Authorize());
  }
  static std::string Plain(const std::string& prefix) {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + prefix;
  }

  static inline jose::EcKey* key_ = nullptr;
  static inline std::string* dir_ = nullptr;
  static inline std::string* ca_file_ = nullptr;
  static inline tokenwarden::testing::NginxServer* nginx_ = nullptr;
  static inline int port_ = 0;
  static inline int tls_port_ = 0;
  boost::asio::io_context ioc_;
  std::shared_ptr<http::HttpClient> client_;
};

TEST_F(AllianceOnNginxTest, DecodesEachShapeOfAnswer) {
  for (const char* shape : {"jwe", "data", "bare"}) {
    AuthorizeResult r = AuthorizeAt(Plain(shape));
    ASSERT_EQ(r.verdict.action, Action::kOk)
        << shape << ": " << r.verdict.message;
    EXPECT_EQ(r.session->headers[1].value.reveal(), "d-1");
    EXPECT_EQ(r.session->expires_at,
              FromUnixSeconds(1740658354) + std::chrono::milliseconds(43));
    EXPECT_EQ(r.session->issued_at, kNow);
  }
}

TEST_F(AllianceOnNginxTest, OverTlsWithTheCa) {
  http::HttpClientOptions o;
  o.ca_file = *ca_file_;
  AuthorizeResult r =
      AuthorizeAt("https://localhost:" + std::to_string(tls_port_) + "/jwe", o);
  EXPECT_EQ(r.verdict.action, Action::kOk) << r.verdict.message;
  AuthorizeResult untrusted =
      AuthorizeAt("https://localhost:" + std::to_string(tls_port_) + "/jwe");
  EXPECT_EQ(untrusted.verdict.action, Action::kRetryLater);
  EXPECT_EQ(untrusted.verdict.code, "tls");
  EXPECT_NE(untrusted.verdict.message.find("localhost"), std::string::npos);
}

TEST_F(AllianceOnNginxTest, PlainErrorsTruncationAndGateways) {
  AuthorizeResult closed = AuthorizeAt(Plain("error"));
  EXPECT_EQ(closed.verdict.action, Action::kNeedsSupport);
  EXPECT_EQ(closed.verdict.code, "b_auth_token_expired");
  AuthorizeResult busy = AuthorizeAt(Plain("busy"));
  EXPECT_EQ(busy.verdict.action, Action::kRetryLater);
  EXPECT_EQ(busy.verdict.retry_after, std::chrono::seconds(17));
  EXPECT_EQ(AuthorizeAt(Plain("truncated")).verdict.code, "malformed_answer");
  EXPECT_EQ(AuthorizeAt(Plain("html")).verdict.code, "http_502");
  AuthorizeResult missing = AuthorizeAt(Plain("nowhere"));
  EXPECT_EQ(missing.verdict.action, Action::kFatal)
      << "a 404 on authorize is a wrong base_url";
}

TEST_F(AllianceOnNginxTest, NoServerIsRetryLater) {
  AuthorizeResult r =
      AuthorizeAt("http://127.0.0.1:" +
                  std::to_string(tokenwarden::testing::FreeLoopbackPort()));
  EXPECT_EQ(r.verdict.action, Action::kRetryLater);
  EXPECT_EQ(r.verdict.code, "unavailable");
}

}  // namespace
}  // namespace tokenwarden::providers
