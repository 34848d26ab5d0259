#include "agent/access_guard.h"

#include <algorithm>

namespace tokenwarden::agent {
namespace {

AccessDecision Refuse(int status, std::string error, std::string message) {
  return AccessDecision{false, status, std::move(error), std::move(message)};
}

bool MayRead(const ClientConfig& client, std::string_view account) {
  return std::any_of(client.accounts.begin(), client.accounts.end(), [&](const std::string& a) {
    return a == "*" || (!account.empty() && a == account);
  });
}

}  // namespace

AccessDecision AccessGuard::Check(const HeaderLookup& headers, bool is_v1,
                                  std::string_view account) const {
  if (headers("origin") || headers("x-forwarded-for")) {
    return Refuse(403, "forwarded_request_refused",
                  "requests carrying Origin or X-Forwarded-For are refused: the agent serves "
                  "local processes only, not browsers or relays");
  }
  if (is_v1) {
    auto marker = headers("tokenwarden-request");
    if (!marker || *marker != "1") {
      return Refuse(403, "missing_request_header",
                    "every /v1/ request must carry the header 'Tokenwarden-Request: 1'");
    }
  }
  if (clients_.empty()) return AccessDecision{true, 200, "", ""};

  auto auth = headers("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!auth || auth->substr(0, kBearer.size()) != kBearer) {
    return Refuse(401, "client_token_required",
                  "this agent requires 'Authorization: Bearer <client token>' (see [[client]] in "
                  "the configuration)");
  }
  Secret presented(auth->substr(kBearer.size()));
  for (const auto& client : clients_) {
    if (!client.token.Equals(presented)) continue;
    if (MayRead(client, account)) return AccessDecision{true, 200, "", ""};
    return Refuse(403, "account_not_allowed",
                  account.empty()
                      ? "client '" + client.name + "' may not make operator calls (needs accounts = [\"*\"])"
                      : "client '" + client.name + "' may not use account '" + std::string(account) + "'");
  }
  return Refuse(401, "client_token_invalid", "the client token is not one this agent knows");
}

}  // namespace tokenwarden::agent
