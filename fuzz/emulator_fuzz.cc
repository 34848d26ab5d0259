// libFuzzer: the emulator's readers of a client's requests. The input's
// first byte picks the call, the rest is its body: create-order, reading
// order data and the two operation lookups (by id, by merchantRequestId)
// get it as the JSON body; REFUND gets it both as the raw body
// (a JWE that must not decrypt, or garbage) and encrypted to the session's
// serverPublic, so that the refund payload reader is reached too. Nova
// Post's shipment create gets it as its body, the shipment list and
// BasicTracking as their query (and the control API's courier as a
// shipment number). Nothing may crash; every answer is a status with the
// upstream's error shape or its answer.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>

#include "emulator/alliance.h"
#include "emulator/admin.h"
#include "emulator/novapost.h"
#include "emulator/novapost_shipments.h"
#include "emulator/state.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "tokenwarden/clock.h"

namespace {

using tokenwarden::emulator::State;

constexpr char kCode[] = "6f1c0a3e-0000-4000-8000-000000000001";

struct World {
  State state;
  std::string device, refresh, jwt;
  tokenwarden::jose::EcKey server_public = *tokenwarden::jose::EcKey::Generate(tokenwarden::jose::Curve::kP384);

  World() {
    state.clock = std::make_shared<tokenwarden::OffsetClock>(
        std::make_shared<tokenwarden::ManualClock>(tokenwarden::FromUnixSeconds(1740658354)));
    state.settings.max_orders = 64;  // bounded across millions of runs
    state.settings.max_shipments = 64;
    auto merchant = *tokenwarden::jose::EcKey::Generate(tokenwarden::jose::Curve::kP384);
    std::lock_guard<std::mutex> lock(state.mu);
    (void)tokenwarden::emulator::RegisterMerchant(state, kCode, merchant.PublicJwk(), "");
    tokenwarden::http::Request auth{"POST", "/api-gateway/authorize_virtual_device", {{"x-api_version", "v1"}},
                                    std::string("{\"serviceCode\":\"") + kCode + "\"}", "127.0.0.1:1", true};
    (void)tokenwarden::emulator::AllianceAuthorize(state, auth, false);
    auto& [id, session] = *state.sessions.begin();
    device = id;
    refresh = session.refresh_token;
    server_public = session.server_key->PublicOnly();
    (void)tokenwarden::emulator::RegisterApiKey(state, "fuzz-api-key");
    tokenwarden::http::Request np{"GET", "/v.1.0/clients/authorization?apiKey=fuzz-api-key", {}, "",
                                  "127.0.0.1:1", true};
    jwt = nlohmann::json::parse(tokenwarden::emulator::NovaPostHandle(state, np).body).value("jwt", "");
  }

  // A Nova Post call with the token (the manual clock never moves, so it
  // stays live).
  void NovaPost(const std::string& method, const std::string& target, std::string body) {
    tokenwarden::http::Request r{method, target, {{"authorization", jwt}}, std::move(body), "127.0.0.1:1", true};
    std::lock_guard<std::mutex> lock(state.mu);
    auto answer = tokenwarden::emulator::NovaPostHandle(state, r);
    if (answer.status < 200 || answer.status > 599) __builtin_trap();
  }

  void Courier(const std::string& number) {
    std::lock_guard<std::mutex> lock(state.mu);
    (void)tokenwarden::emulator::AdvanceShipment(state, number);
  }

  void Call(const std::string& path, std::string body) {
    tokenwarden::http::Request r{"POST", path,
                                 {{"x-api_version", "v1"}, {"x-device_id", device}, {"x-refresh_token", refresh}},
                                 std::move(body), "127.0.0.1:1", true};
    std::lock_guard<std::mutex> lock(state.mu);
    auto answer = tokenwarden::emulator::AllianceCall(state, r);
    if (answer.status < 200 || answer.status > 599) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  if (size == 0) return 0;
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The seeds' first bytes (fuzz/seed.py) pick these; 2 is the refund, 5 to
  // 7 Nova Post's shipment calls (0 to 4 kept their meaning when they came).
  static constexpr const char* kJsonCalls[] = {"/ecom/execute_request/hpp/v1/create-order",
                                               "/ecom/execute_request/hpp/v1/operations", nullptr,
                                               "/ecom/execute_request/payments/v1/operations",
                                               "/ecom/execute_request/payments/v1/operation/by_merchant_request_id"};
  switch (data[0] % 8) {
    case 2: {
      world->Call("/ecom/execute_request/payments/v3/refund", body);
      auto jwe = tokenwarden::jose::EncryptCompact(body, world->server_public);
      if (jwe.ok()) world->Call("/ecom/execute_request/payments/v3/refund", "{\"jwe\":\"" + *jwe + "\"}");
      return 0;
    }
    case 5:
      world->NovaPost("POST", "/v.1.0/shipments", body);
      return 0;
    case 6:
      world->NovaPost("GET", "/v.1.0/shipments?" + body, "");
      return 0;
    case 7:
      world->NovaPost("GET", "/v.1.0/shipments/tracking/history?" + body, "");
      world->Courier(body);
      return 0;
    default:
      world->Call(kJsonCalls[data[0] % 8], body);
      return 0;
  }
}
