#include "agent/token_json.h"

#include <nlohmann/json.hpp>

#include "util/time_format.h"

namespace tokenwarden::agent {

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
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string TokenJsonCache::Get(const std::shared_ptr<const Session>& session) {
  std::lock_guard lock(mu_);
  if (session != session_) {
    body_ = Secret(RenderTokenJson(*session));
    session_ = session;
  }
  return std::string(body_.reveal());
}

}  // namespace tokenwarden::agent
