#include "emulator/novapost.h"

#include "emulator/novapost_divisions.h"
#include "emulator/novapost_shipments.h"
#include "jose/jwt.h"

namespace tokenwarden::emulator {
namespace {

constexpr std::string_view kPrefix = "/v.1.0/";

http::Response Message(int status, std::string_view text) {
  return http::Response::Json(status, {{"message", text}});
}

http::Response Authorize(State& state, const http::Request& request) {
  if (request.method != "GET") return Message(405, "use GET");
  auto key = request.query_param("apiKey");
  if (!key || key->empty()) {
    return http::Response::Json(422, {{"message", "Validation error"}, {"errors", {{"apiKey", "required"}}}});
  }
  auto it = state.novapost_keys.find(*key);
  if (it == state.novapost_keys.end()) return Message(401, "Unauthorized");
  NovaPostKey& k = it->second;
  TimePoint now = state.clock->Now();
  NovaPostToken token{RandomHex(16), now + state.settings.novapost_lifetime};
  long long iat = ToUnixSeconds(now);
  nlohmann::json claims = {{"iss", "np"},
                           {"iat", iat},
                           {"exp", ToUnixSeconds(token.expires_at)},
                           {"cid", RandomUuid()},
                           {"ref", token.ref}};
  auto jwt = jose::SignHs256(claims, state.jwt_secret);
  if (!jwt.ok()) return Message(500, "signing failed");
  LiveTokens(state, k);  // drops expired ones first
  state.SweepSessions(/*adding=*/1);
  state.ref_expiries.Add(token.expires_at, token.ref);
  state.novapost_ref_owner[token.ref] = {*key, token.expires_at};
  k.live.push_back(std::move(token));
  while (static_cast<int>(k.live.size()) > state.settings.novapost_session_limit) k.live.pop_front();
  ++k.authorizations;
  return http::Response::Json(200, {{"jwt", *jwt}});
}

// The key (apiKey and its record) whose live token `jwt` is, or nullptr.
std::map<std::string, NovaPostKey>::value_type* Authenticate(State& state, std::string_view jwt) {
  auto claims = jose::VerifyHs256(jwt, state.jwt_secret);
  if (!claims.ok() || *claims->exp <= state.clock->Now()) return nullptr;
  std::string ref = claims->claims.value("ref", "");
  for (auto& entry : state.novapost_keys) {
    for (const auto& t : entry.second.live) {
      if (t.ref == ref) return &entry;
    }
  }
  return nullptr;
}

// The protected calls, by method and path.
enum class Call { kNone, kDivisions, kCreateShipment, kFindShipments, kTrackShipments };

Call Route(const http::Request& request) {
  std::string_view path = request.path();
  bool get = request.method == "GET";
  if (path == "/v.1.0/divisions" && get) return Call::kDivisions;
  if (path == "/v.1.0/shipments" && request.method == "POST") return Call::kCreateShipment;
  if (path == "/v.1.0/shipments" && get) return Call::kFindShipments;
  if (path == "/v.1.0/shipments/tracking/history" && get) return Call::kTrackShipments;
  return Call::kNone;
}

}  // namespace

bool IsNovaPostPath(std::string_view path) { return path.substr(0, kPrefix.size()) == kPrefix; }

size_t LiveTokens(State& state, NovaPostKey& key) {
  TimePoint now = state.clock->Now();
  std::erase_if(key.live, [&](const NovaPostToken& t) { return t.expires_at <= now; });
  return key.live.size();
}

http::Response NovaPostHandle(State& state, const http::Request& request) {
  if (request.path() == "/v.1.0/clients/authorization") return Authorize(state, request);
  Call call = Route(request);
  if (call == Call::kNone) return Message(404, "Not found");
  // The docs send the bare token; a "Bearer " prefix is tolerated.
  std::string_view auth = request.header("authorization").value_or("");
  if (auth.substr(0, 7) == "Bearer ") auth = auth.substr(7);
  auto* key = Authenticate(state, auth);
  if (key == nullptr) {
    // Count against the key that issued the token, when it was one of ours
    // (expired or evicted); garbage cannot be attributed.
    auto claims = jose::VerifyHs256(auth, state.jwt_secret, {.require_exp = false});
    if (claims.ok()) {
      auto owner = state.novapost_ref_owner.find(claims->claims.value("ref", ""));
      if (owner != state.novapost_ref_owner.end()) ++state.novapost_keys[owner->second.api_key].rejected;
    }
    return Message(401, "Unauthorized");
  }
  ++key->second.api_calls;
  switch (call) {
    case Call::kDivisions: return Divisions(request);
    case Call::kCreateShipment: return CreateShipment(state, key->first, request);
    case Call::kFindShipments: return FindShipments(state, key->first, request);
    case Call::kTrackShipments: return TrackShipments(state, key->first, request);
    case Call::kNone: break;
  }
  return Message(404, "Not found");
}

}  // namespace tokenwarden::emulator
