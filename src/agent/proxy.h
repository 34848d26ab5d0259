// The forwarding engine of /proxy/{account}/{path...} and of the drop-in
// listener (agent/dropin.h): forwards the request to the account's
// upstream with the session headers attached (and a fresh x-request_id for
// Alliance). When the answer proves an authorization rejection (401 or a
// session msgCode) it invalidates that generation and retries exactly once;
// never after a timeout, a transport error or a 5xx, because payment calls
// are not idempotent. The request's body is held (a retry sends it again);
// the answer's is held up to 64 KiB, which any authorization rejection fits
// in, and past that passed on piece by piece as it arrives.
#ifndef TOKENWARDEN_AGENT_PROXY_H_
#define TOKENWARDEN_AGENT_PROXY_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>

#include "agent/account_runtime.h"
#include "agent/metrics.h"
#include "http/message.h"

namespace tokenwarden::agent {

// What differs between the listeners that forward (the proxy, the drop-in
// listener): how an account without a session is answered, and which
// counter of the account counts the answers by status.
struct ForwardStyle {
  http::Response (*no_session)(const AccountRuntime& account, const Error& error, const Clock& clock);
  CounterCache AccountRuntime::*answers;
  const char* metric;  // the counter's name on /metrics, labels account and status
  const char* help;
};

// /proxy/{account}/...: the agent's own JSON refusals,
// tokenwarden_proxy_requests_total.
extern const ForwardStyle kProxyStyle;

// The account is held for the whole call (a reload may drop it from the
// directory meanwhile). `path` is the upstream path below the account's
// base URL (starting with '/'); the query of `request` is forwarded as it
// is. The answer carries the upstream's status, headers and body, plus
// "Tokenwarden-Generation" (the session used) and "Tokenwarden-Retried: 1"
// when it was retried.
boost::asio::awaitable<http::Response> ProxyRequest(std::shared_ptr<AccountRuntime> held,
                                                    const http::Request& request, std::string_view path,
                                                    MetricsRegistry& metrics, Duration session_wait,
                                                    const ForwardStyle& style);

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_PROXY_H_
