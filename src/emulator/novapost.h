// The fake Nova Post API v1.0: one-hour HS256 JWTs per API key, a limit on
// live sessions per key, and protected calls that need a valid token.
//
// Past the session limit the OLDEST live token stops working: a client that
// authorizes per request locks out its own earlier tokens, which is the
// failure the real limit punishes.
#ifndef TOKENWARDEN_EMULATOR_NOVAPOST_H_
#define TOKENWARDEN_EMULATOR_NOVAPOST_H_

#include <string_view>

#include "emulator/state.h"
#include "http/message.h"

namespace tokenwarden::emulator {

bool IsNovaPostPath(std::string_view path);

// GET /v.1.0/clients/authorization?apiKey=KEY and the protected calls.
// REQUIRES: state.mu held.
http::Response NovaPostHandle(State& state, const http::Request& request);

// Live (unexpired, not evicted) tokens of a key. REQUIRES: state.mu held.
size_t LiveTokens(State& state, NovaPostKey& key);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_NOVAPOST_H_
