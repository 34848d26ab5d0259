// The drop-in listener (docs/DROPIN.md): speaks each upstream's own API at
// the paths its clients build from their base URL, so that a client that
// authorizes by itself (the bank's SDKs and shop plugins, Nova Post
// clients) shares the agent's one session per account with no change but
// its base URL.
//
//   .../api-gateway/authorize_virtual_device   answered from the session:
//                                              {"jwe": ...} to the merchant's key
//   .../clients/authorization?apiKey=KEY       answered from the session: {"jwt": ...}
//   anything else                              forwarded as the proxy does, the
//                                              session's headers in place of the
//                                              client's (agent/proxy.h)
//
// The account is recognised from what the client sends: the serviceCode or
// API key (compared in constant time) on an authorization; on every other
// call the x-device_id or JWT the agent handed out (any generation still
// noted); or an account id as the path's first segment; or the listener
// is an account's own. Unknown credentials are answered in the upstream's
// own error shape and nothing is forwarded.
#ifndef TOKENWARDEN_AGENT_DROPIN_H_
#define TOKENWARDEN_AGENT_DROPIN_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "agent/local_api.h"
#include "agent/metrics.h"
#include "agent/proxy.h"
#include "agent/session_index.h"
#include "agent/upstream_replies.h"
#include "http/message.h"

namespace tokenwarden::agent {

struct DropinOptions {
  // How long a call waits for an authorization under way.
  Duration session_wait = std::chrono::seconds(10);
  // An account's own listener serves that account alone; empty: every
  // account, recognised per request.
  std::string only_account;
};

class DropinApi {
 public:
  // `directory`, `metrics` and `clock` must outlive the DropinApi.
  DropinApi(const AccountDirectory& directory, MetricsRegistry& metrics, std::shared_ptr<Clock> clock,
            DropinOptions options = {});

  // Thread-safe; never throws.
  boost::asio::awaitable<http::Response> Handle(http::Request request);

  // The server's answer to a request it refused before the handler (too
  // large, malformed), in the shape of the upstream its target names.
  static http::Response ServerError(int status, std::string_view message, std::string_view target);

 private:
  struct Call;  // a request as recognised: the account, the upstream path
  boost::asio::awaitable<http::Response> Route(const http::Request& request);
  // An authorization call, answered from the session of the account whose
  // credential it presents.
  boost::asio::awaitable<http::Response> Authorize(Call& call, std::string_view credential);
  boost::asio::awaitable<http::Response> Forward(const http::Request& request, Call& call);
  // The account whose session carries `credential` (x-device_id, JWT):
  // the index, else the current session of each account.
  std::shared_ptr<AccountRuntime> BySession(std::string_view credential, Upstream upstream);
  std::shared_ptr<AccountRuntime> ByCredential(std::string_view credential, Upstream upstream) const;
  // Notes the account's current session in the index.
  void NoteSession(const AccountRuntime& account, const Session& session);

  const AccountDirectory& directory_;
  MetricsRegistry& metrics_;
  std::shared_ptr<Clock> clock_;
  DropinOptions options_;
  SessionIndex index_;
};

// tokenwarden_dropin_requests_total: forwarded calls by status, answered in
// the upstreams' own shapes when the account has no session.
extern const ForwardStyle kDropinStyle;

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_DROPIN_H_
