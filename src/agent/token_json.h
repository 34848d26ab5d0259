// The body of GET /v1/token/{account} and of a successful invalidate:
//   {"account": "...", "provider": "...", "generation": N,
//    "headers": {"<name>": "<value>", ...}, "expires_at": "<UTC ISO-8601>",
//    "expires_at_kyiv": "...", "refresh_at": "..."}
#ifndef TOKENWARDEN_AGENT_TOKEN_JSON_H_
#define TOKENWARDEN_AGENT_TOKEN_JSON_H_

#include <string>

#include "tokenwarden/session.h"

namespace tokenwarden::agent {

// The only place outside the upstream request path where session header
// values are revealed: the local client asked for them, authenticated.
std::string RenderTokenJson(const Session& session);

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_TOKEN_JSON_H_
