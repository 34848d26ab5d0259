// Test fixture: an emulator served over real HTTP on a loopback port, on a
// clock the test moves through the admin API.
#ifndef TOKENWARDEN_EMULATOR_EMULATOR_TEST_UTIL_H_
#define TOKENWARDEN_EMULATOR_EMULATOR_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <optional>

#include "emulator/emulator.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "testing/bank_examples.h"
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

  // A session of a second registered merchant (serviceCode kOtherCode),
  // decrypted: for checking that one merchant never sees another's data.
  nlohmann::json OtherMerchantsSession() {
    auto key = *jose::EcKey::Generate(jose::Curve::kP384);
    auto r = Call("POST", "/_emulator/alliance/merchants", {},
                  nlohmann::json{{"serviceCode", kOtherCode}, {"clientPublicJwk", key.PublicJwk()}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    auto a = Call("POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v1"}},
                  nlohmann::json{{"serviceCode", kOtherCode}}.dump());
    auto out = jose::DecryptCompact(a.json().value("jwe", ""), key);
    EXPECT_TRUE(out.ok()) << a.body;
    return out.ok() ? nlohmann::json::parse(out->plaintext.reveal()) : nlohmann::json();
  }

  // A protected bank call with the session's headers; `body` defaults to the
  // documented create-order example on create-order, else {}.
  testing::HttpReply CallBank(const nlohmann::json& session, const std::string& path = "/ecom/execute_request/hpp/v1/create-order",
                              bool with_refresh = true, std::optional<std::string> body = std::nullopt) {
    std::vector<std::pair<std::string, std::string>> h = {{"x-api_version", "v1"},
                                                          {"x-device_id", session.value("deviceId", "")},
                                                          {"x-request_id", "req-1"},
                                                          {"content-type", "application/json"}};
    if (with_refresh) h.emplace_back("x-refresh_token", session.value("refreshToken", ""));
    if (!body) body = path.find("/create-order") != std::string::npos ? testing::ExampleOrderBody("m-1", 100) : "{}";
    return Call("POST", path, h, *body);
  }

  // create-order with `order` (the documented example by default); the answer.
  nlohmann::json CreateOrder(const nlohmann::json& session, const nlohmann::json& order = testing::ExampleOrder()) {
    auto r = CallBank(session, "/ecom/execute_request/hpp/v1/create-order", true, order.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  // Reading order data by hppOrderId.
  testing::HttpReply ReadOrder(const nlohmann::json& session, const std::string& hpp_order_id) {
    return CallBank(session, "/ecom/execute_request/hpp/v1/operations", true,
                    nlohmann::json{{"hppOrderId", hpp_order_id}}.dump());
  }

  // The payer's move through the admin API: "pay", "fail" or "expire".
  testing::HttpReply Payer(const std::string& action, const std::string& hpp_order_id) {
    return Call("POST", "/_emulator/alliance/orders/" + action, {}, nlohmann::json{{"hppOrderId", hpp_order_id}}.dump());
  }

  // A refund whose payload is encrypted to the session's serverPublic, as
  // the bank requires; the reply and, when it is 200, its decrypted payload.
  std::pair<testing::HttpReply, nlohmann::json> Refund(const nlohmann::json& session, const nlohmann::json& payload) {
    auto server = jose::EcKey::FromJwk(session["serverPublic"]);
    EXPECT_TRUE(server.ok());
    auto jwe = jose::EncryptCompact(payload.dump(), *server);
    auto r = CallBank(session, "/ecom/execute_request/payments/v3/refund", true, nlohmann::json{{"jwe", *jwe}}.dump());
    // The bank answers most refusals with 200 and an error body: only a
    // {"jwe"} is an answer to decrypt.
    if (r.status != 200 || !r.json().contains("jwe")) return {r, r.json()};
    auto plain = jose::DecryptCompact(r.json().value("jwe", ""), merchant_key_);
    EXPECT_TRUE(plain.ok()) << r.body;
    return {r, plain.ok() ? nlohmann::json::parse(plain->plaintext.reveal()) : nlohmann::json()};
  }

  // The emulator's base clock: a test may move it directly (and share it
  // with the code under test) instead of through the control API.
  std::shared_ptr<ManualClock> emulator_clock_ = std::make_shared<ManualClock>(FromUnixSeconds(1740658354));
  static constexpr const char* kCode = "6f1c0a3e-0000-4000-8000-000000000001";
  static constexpr const char* kOtherCode = "6f1c0a3e-0000-4000-8000-000000000002";
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<http::Server> server_;
  jose::EcKey merchant_key_ = *jose::EcKey::Generate(jose::Curve::kP256);
};

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_EMULATOR_TEST_UTIL_H_
