// The body of GET /v1/token/{account} and of a successful invalidate:
//   {"account": "...", "provider": "...", "generation": N,
//    "headers": {"<name>": "<value>", ...}, "expires_at": "<UTC ISO-8601>",
//    "expires_at_kyiv": "...", "refresh_at": "..."[, "serverPublic": {JWK}]}
// serverPublic (Alliance only) is the bank's public key of the session, as
// its authorization answer gave it: a merchant encrypts its REFUND request
// to it. It is public; nothing else of the upstream answer is shown.
#ifndef TOKENWARDEN_AGENT_TOKEN_JSON_H_
#define TOKENWARDEN_AGENT_TOKEN_JSON_H_

#include <memory>
#include <mutex>
#include <string>

#include "tokenwarden/secret.h"
#include "tokenwarden/session.h"

namespace tokenwarden::agent {

// The only place outside the upstream request path where session header
// values are revealed: the local client asked for them, authenticated.
std::string RenderTokenJson(const Session& session);

// RenderTokenJson of the latest session asked for, rendered once per
// session: token reads are the agent's hot path. One per account, so it
// holds one pointer (16 B, not a mutex, a session pointer and a body: 88 B)
// and locks a striped mutex. Thread-safe.
class TokenJsonCache {
 public:
  std::string Get(const std::shared_ptr<const Session>& session);

 private:
  struct Rendered {
    std::shared_ptr<const Session> session;
    Secret body;  // wiped when the last reader lets go
  };
  std::shared_ptr<const Rendered> rendered_;  // guarded by StripedMutex(this)
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_TOKEN_JSON_H_
