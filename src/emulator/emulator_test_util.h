// Test fixture: an emulator served over real HTTP on a loopback port, on a
// clock the test moves through the admin API.
#ifndef TOKENWARDEN_EMULATOR_EMULATOR_TEST_UTIL_H_
#define TOKENWARDEN_EMULATOR_EMULATOR_TEST_UTIL_H_

#include <gtest/gtest.h>

#include "emulator/emulator.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "testing/http_call.h"

namespace tokenwarden::emulator {

class EmulatorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator_ = std::make_unique<Emulator>(emulator_clock_);
    http::ServerOptions o;
    o.error_responder = Emulator::ServerError;
    o.max_body_bytes = 64 * 1024;
    auto s = http::Server::Start(o, emulator_->handler());
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(*s);
    merchant_key_ = *jose::EcKey::Generate(jose::Curve::kP384);
    auto r = Call("POST", "/_emulator/alliance/merchants", {},
                  nlohmann::json{{"serviceCode", kCode}, {"clientPublicJwk", merchant_key_.PublicJwk()}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_EQ(Call("POST", "/_emulator/novapost/keys", {}, R"({"apiKey":"np-key-1"})").status, 201);
  }
  void TearDown() override { server_->Stop(std::chrono::seconds(1)); }

  testing::HttpReply Call(const std::string& method, const std::string& target,
                          std::vector<std::pair<std::string, std::string>> headers = {},
                          const std::string& body = "") {
    return testing::HttpCall(server_->port(), method, target, headers, body);
  }

  void Advance(long long seconds) {
    ASSERT_EQ(Call("POST", "/_emulator/clock", {}, "{\"advance_seconds\":" + std::to_string(seconds) + "}").status, 200);
  }

  void Fault(const nlohmann::json& f) { ASSERT_EQ(Call("POST", "/_emulator/faults", {}, f.dump()).status, 201); }

  nlohmann::json Stats() { return Call("GET", "/_emulator/stats").json(); }

  // Authorizes and returns the decrypted answer.
  nlohmann::json Authorize(const std::string& version = "v1") {
    auto r = Call("POST", "/api-gateway/authorize_virtual_device",
                  {{"x-api_version", version}, {"content-type", "application/json"}},
                  nlohmann::json{{"serviceCode", kCode}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    auto jwe = r.json().value("jwe", "");
    auto out = jose::DecryptCompact(jwe, merchant_key_);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? nlohmann::json::parse(out->plaintext.reveal()) : nlohmann::json();
  }

  testing::HttpReply CallBank(const nlohmann::json& session, const std::string& path = "/ecom/execute_request/hpp/v1/create-order",
                              bool with_refresh = true) {
    std::vector<std::pair<std::string, std::string>> h = {{"x-api_version", "v1"},
                                                          {"x-device_id", session.value("deviceId", "")},
                                                          {"x-request_id", "req-1"},
                                                          {"content-type", "application/json"}};
    if (with_refresh) h.emplace_back("x-refresh_token", session.value("refreshToken", ""));
    return Call("POST", path, h, R"({"coinAmount":100,"merchantRequestId":"m-1"})");
  }

  // The emulator's base clock: a test may move it directly (and share it
  // with the code under test) instead of through the control API.
  std::shared_ptr<ManualClock> emulator_clock_ = std::make_shared<ManualClock>(FromUnixSeconds(1740658354));
  static constexpr const char* kCode = "6f1c0a3e-0000-4000-8000-000000000001";
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<http::Server> server_;
  jose::EcKey merchant_key_ = *jose::EcKey::Generate(jose::Curve::kP256);
};

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_EMULATOR_TEST_UTIL_H_
