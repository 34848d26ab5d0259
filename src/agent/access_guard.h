// Who may use the agent's local API. The rules, in order:
//  1. A request carrying Origin or X-Forwarded-For is refused (403): it came
//     through a browser or a relay, as in an SSRF, not from a local process.
//  2. Every /v1/ request must carry "Tokenwarden-Request: 1" (403 otherwise);
//     a relay that can only make simple GETs cannot add it.
//  3. When [[client]] tokens are configured, a request must carry
//     "Authorization: Bearer <token>" of a client allowed for the account
//     (401 without a valid token, 403 for an account it may not read).
//     Operator calls (no account: /v1/accounts, authorize) need a client
//     with accounts = ["*"]. Without [[client]] tables, any local process
//     that passes rules 1 and 2 is trusted.
#ifndef TOKENWARDEN_AGENT_ACCESS_GUARD_H_
#define TOKENWARDEN_AGENT_ACCESS_GUARD_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config.h"

namespace tokenwarden::agent {

// Looks up a request header by case-insensitive name.
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view)>;

struct AccessDecision {
  bool allowed = false;
  int status = 0;        // 401 or 403 when refused
  std::string error;     // machine-readable code
  std::string message;   // what to do about it
};

class AccessGuard {
 public:
  explicit AccessGuard(std::vector<ClientConfig> clients) : clients_(std::move(clients)) {}

  // `account` is empty for operator calls. `is_v1` for paths under /v1/.
  AccessDecision Check(const HeaderLookup& headers, bool is_v1, std::string_view account) const;

 private:
  std::vector<ClientConfig> clients_;
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_ACCESS_GUARD_H_
