// The emulator's control API under /_emulator/ (JSON; loopback peers only).
// The first four forms are a contract tests and users rely on:
//   POST /_emulator/alliance/merchants {"serviceCode","clientPublicJwk"[,"merchantId"]}
//   POST /_emulator/novapost/keys {"apiKey"}
//   GET  /_emulator/stats
//   POST /_emulator/clock {"advance_seconds": N}
// The rest is listed in docs/EMULATOR.md.
#ifndef TOKENWARDEN_EMULATOR_ADMIN_H_
#define TOKENWARDEN_EMULATOR_ADMIN_H_

#include "emulator/state.h"
#include "http/message.h"

namespace tokenwarden::emulator {

// REQUIRES: state.mu held; request.path() starts with "/_emulator/".
http::Response AdminHandle(State& state, const http::Request& request);

// Registration shared by the admin API, --config and --demo.
// REQUIRES: state.mu held.
// An empty merchant_name keeps the default (Merchant::merchant_name).
Status RegisterMerchant(State& state, const std::string& service_code, const nlohmann::json& public_jwk,
                        const std::string& merchant_id, const std::string& merchant_name = "");
Status RegisterApiKey(State& state, const std::string& api_key);

nlohmann::json Stats(State& state);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_ADMIN_H_
