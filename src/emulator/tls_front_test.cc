// `emulate --tls`: the emulator over https, trusted through the certificate
// file it writes.
#include "emulator/tls_front.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "emulator/emulator_test_util.h"
#include "http/client/http_client.h"
#include "testing/run_awaitable.h"
#include "testing/subprocess.h"
#include "util/file_io.h"

namespace tokenwarden::emulator {
namespace {

class TlsFrontTest : public EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    dir_ = testing::MakeTempDir("tw-emu-tls");
    cert_ = dir_ + "/emulator.pem";
    auto front = TlsFront::Start("127.0.0.1:0", cert_, server_->port());
    ASSERT_TRUE(front.ok()) << front.error().message;
    front_ = std::move(*front);
  }
  void TearDown() override {
    front_->Stop();
    if (client_) client_->CloseIdle();
    std::filesystem::remove_all(dir_);
    EmulatorFixture::TearDown();
  }

  Result<http::ClientResponse> Https(const std::string& method, const std::string& path, http::Headers headers = {},
                                     const std::string& body = "") {
    if (!client_) {
      http::HttpClientOptions o;
      o.ca_file = cert_;
      o.use_system_trust = false;
      client_ = *http::MakeHttpClient(o);
    }
    http::ClientRequest request{method, "https://127.0.0.1:" + std::to_string(front_->port()) + path, headers, body};
    return testing::RunAwaitable(ioc_, client_->Send(request));
  }

  std::string dir_, cert_;
  std::unique_ptr<TlsFront> front_;
  boost::asio::io_context ioc_;
  std::shared_ptr<http::HttpClient> client_;
};

TEST_F(TlsFrontTest, ServesHttpsTrustedThroughTheCertificateFileItWrites) {
  auto pem = ReadFile(cert_);
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  auto clock = Https("GET", "/_emulator/clock");
  ASSERT_TRUE(clock.ok()) << clock.error().message;
  EXPECT_EQ(clock->status, 200);
  auto auth = Https("POST", "/api-gateway/authorize_virtual_device",
                    {{"x-api_version", "v1"}, {"content-type", "application/json"}},
                    nlohmann::json{{"serviceCode", kCode}}.dump());
  ASSERT_TRUE(auth.ok()) << auth.error().message;
  EXPECT_EQ(auth->status, 200) << auth->body;
  auto jwe = nlohmann::json::parse(auth->body).value("jwe", "");
  EXPECT_TRUE(jose::DecryptCompact(jwe, merchant_key_).ok());
  EXPECT_EQ(Stats()["alliance"][kCode]["authorizations"], 1);
}

TEST_F(TlsFrontTest, AClientThatDoesNotTrustTheCertificateIsRefused) {
  http::HttpClientOptions o;
  o.use_system_trust = true;  // the system store does not know the emulator's certificate
  client_ = *http::MakeHttpClient(o);
  auto r = Https("GET", "/_emulator/clock");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << r.error().message;
}

}  // namespace
}  // namespace tokenwarden::emulator
