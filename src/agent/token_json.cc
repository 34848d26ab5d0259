#include "agent/token_json.h"

#include <nlohmann/json.hpp>

#include "util/striped_mutex.h"
#include "util/time_format.h"

namespace tokenwarden::agent {
namespace {

// The bank's key of an Alliance session, from the decrypted authorization
// answer: "serverPublic", or "serverPublicKey", the older name of the same
// field (PROTOCOLS.md). Null when absent or not a JWK object.
nlohmann::ordered_json ServerPublic(const Session& session) {
  if (session.provider != "alliance") return nullptr;
  auto answer = nlohmann::ordered_json::parse(session.upstream_state.reveal(), nullptr, false);
  if (!answer.is_object()) return nullptr;
  for (const char* name : {"serverPublic", "serverPublicKey"}) {
    auto it = answer.find(name);
    if (it != answer.end() && it->is_object()) return *it;
  }
  return nullptr;
}

}  // namespace

std::string RenderTokenJson(const Session& session) {
  nlohmann::ordered_json headers = nlohmann::ordered_json::object();
  for (const auto& h : session.headers) headers[h.name] = h.value.reveal();
  nlohmann::ordered_json body;
  body["account"] = session.account;
  body["provider"] = session.provider;
  body["generation"] = session.generation;
  body["headers"] = std::move(headers);
  body["expires_at"] = FormatUtcIso(session.expires_at);
  body["expires_at_kyiv"] = FormatKyivIso(session.expires_at);
  body["refresh_at"] = FormatUtcIso(session.refresh_at);
  if (auto server_public = ServerPublic(session); !server_public.is_null()) body["serverPublic"] = server_public;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string TokenJsonCache::Get(const std::shared_ptr<const Session>& session) {
  std::shared_ptr<const Rendered> rendered;
  {
    std::lock_guard lock(StripedMutex(this));
    rendered = rendered_;
  }
  if (!rendered || rendered->session != session) {
    // Rendered outside the lock, which other accounts share; two readers of
    // a new session may both render it, and either result is the same.
    rendered = std::make_shared<const Rendered>(Rendered{session, Secret(RenderTokenJson(*session))});
    std::shared_ptr<const Rendered> replaced = rendered;
    std::lock_guard lock(StripedMutex(this));
    rendered_.swap(replaced);
  }  // the one replaced is wiped here, outside the lock
  return std::string(rendered->body.reveal());
}

}  // namespace tokenwarden::agent
