// libFuzzer: the emulator's readers of a merchant's requests. The input's
// first byte picks the call, the rest is its body: create-order, reading
// order data and the two operation lookups (by id, by merchantRequestId)
// get it as the JSON body; REFUND gets it both as the raw body
// (a JWE that must not decrypt, or garbage) and encrypted to the session's
// serverPublic, so that the refund payload reader is reached too. Nothing
// may crash; every answer is a status with the bank's error shape or an
// order.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>

#include "emulator/alliance.h"
#include "emulator/admin.h"
#include "emulator/state.h"
#include "jose/jwe.h"
#include "jose/jwk.h"
#include "tokenwarden/clock.h"

namespace {

using tokenwarden::emulator::State;

constexpr char kCode[] = "6f1c0a3e-0000-4000-8000-000000000001";

struct World {
  State state;
  std::string device, refresh;
  tokenwarden::jose::EcKey server_public = *tokenwarden::jose::EcKey::Generate(tokenwarden::jose::Curve::kP384);

  World() {
    state.clock = std::make_shared<tokenwarden::OffsetClock>(
        std::make_shared<tokenwarden::ManualClock>(tokenwarden::FromUnixSeconds(1740658354)));
    state.settings.max_orders = 64;  // bounded across millions of runs
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
  // The seeds' first bytes (fuzz/seed.py) pick these; 2 is the refund.
  static constexpr const char* kJsonCalls[] = {"/ecom/execute_request/hpp/v1/create-order",
                                               "/ecom/execute_request/hpp/v1/operations", nullptr,
                                               "/ecom/execute_request/payments/v1/operations",
                                               "/ecom/execute_request/payments/v1/operation/by_merchant_request_id"};
  if (const char* path = kJsonCalls[data[0] % std::size(kJsonCalls)]; path != nullptr) {
    world->Call(path, body);
    return 0;
  }
  world->Call("/ecom/execute_request/payments/v3/refund", body);
  auto jwe = tokenwarden::jose::EncryptCompact(body, world->server_public);
  if (jwe.ok()) world->Call("/ecom/execute_request/payments/v3/refund", "{\"jwe\":\"" + *jwe + "\"}");
  return 0;
}
