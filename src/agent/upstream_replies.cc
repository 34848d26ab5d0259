#include "agent/upstream_replies.h"

#include "agent/replies.h"
#include "providers/request_id.h"

namespace tokenwarden::agent {

Upstream UpstreamOf(const http::Request& request) {
  std::string_view path = request.path();
  bool bank_path = path.find("/api-gateway/") != std::string_view::npos || path.find("/ecom/") != std::string_view::npos;
  return bank_path || request.header("x-device_id") ? Upstream::kAlliance : Upstream::kNovaPost;
}

http::Response AllianceError(int status, std::string_view msg_code, std::string_view text) {
  nlohmann::json body = {{"requestId", providers::NewRequestId()},
                         {"serviceId", "api-gateway"},
                         {"msgCode", msg_code},
                         {"msgType", "ERROR"},
                         {"msgText", text},
                         {"isLocalized", false},
                         {"msgAttrs", nlohmann::json::object()},
                         {"errorCauses", nlohmann::json::array()}};
  http::Response r = http::Response::Json(status, body);
  r.Header("Cache-Control", "no-store");
  return r;
}

http::Response NovaPostError(int status, std::string_view text) {
  http::Response r = http::Response::Json(status, {{"message", text}});
  r.Header("Cache-Control", "no-store");
  return r;
}

http::Response UpstreamError(Upstream upstream, int status, std::string_view code, std::string_view text) {
  return upstream == Upstream::kAlliance ? AllianceError(status, code, text) : NovaPostError(status, text);
}

http::Response NoSessionUpstreamReply(const AccountRuntime& account, const Error& error, const Clock& clock) {
  Upstream upstream = account.manager->provider().name() == "alliance" ? Upstream::kAlliance : Upstream::kNovaPost;
  AccountState state = account.manager->Status().state;
  if (state == AccountState::kNeedsSupport || state == AccountState::kFailed) {
    // Never worth a retry loop: the bank's own code for access closed.
    return UpstreamError(upstream, 401, "b_auth_token_expired",
                         "tokenwarden: account '" + account.id + "' has no session: " + error.message);
  }
  http::Response r = UpstreamError(upstream, 503, "b_server_is_overloaded",
                                   "tokenwarden: account '" + account.id + "' has no session yet: " + error.message);
  r.Header("Retry-After", std::to_string(RetryAfterSeconds(account, clock)));
  return r;
}

}  // namespace tokenwarden::agent
