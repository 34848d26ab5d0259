// The answers the agent itself gives, shared by the local API and the
// forwarding engine (the proxy and the drop-in listener): a refusal or
// failure as JSON, and the answer for an account that has no session to give.
#ifndef TOKENWARDEN_AGENT_REPLIES_H_
#define TOKENWARDEN_AGENT_REPLIES_H_

#include <string_view>

#include "agent/account_runtime.h"
#include "http/message.h"

namespace tokenwarden::agent {

// {"error": code, "message": message[, "account": account]} with `status`.
http::Response ErrorResponse(int status, std::string_view code, std::string_view message,
                             std::string_view account = {});

// The answer when an account cannot give a session: needs_support, failed,
// upstream_unavailable or not_ready, each 503 with Retry-After.
http::Response NoSessionResponse(const AccountRuntime& account, const Error& error, const Clock& clock);

// Seconds (1..300, real time) a client should wait before asking again for
// the session of `account`: until its next planned attempt.
long long RetryAfterSeconds(const AccountRuntime& account, const Clock& clock);

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_REPLIES_H_
