// The agent's HTTP surface (ARCHITECTURE.md "Local API"):
//
//   GET  /v1/token/{account}                      the session headers (JSON)
//   POST /v1/token/{account}/invalidate?generation=N
//   GET  /v1/accounts                             operator: every account's state
//   POST /v1/accounts/{account}/authorize         operator: authorize now
//   ANY  /proxy/{account}/{path...}               forward with the headers attached
//   GET  /healthz, /readyz, /metrics, /           liveness, readiness, Prometheus, status page
//
// Every refusal and failure is JSON: {"error": code, "message": what to do,
// "account": id}.
#ifndef TOKENWARDEN_AGENT_LOCAL_API_H_
#define TOKENWARDEN_AGENT_LOCAL_API_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "agent/access_guard.h"
#include "agent/account_runtime.h"
#include "agent/metrics.h"
#include "http/message.h"

namespace tokenwarden::agent {

// What the API serves: the accounts and the access rules of the moment (a
// reload replaces them). Thread-safety: every method from any thread.
// Every account, sorted by id; the pointer keeps the list alive.
using AccountList = std::shared_ptr<const std::vector<std::shared_ptr<AccountRuntime>>>;

class AccountDirectory {
 public:
  virtual ~AccountDirectory() = default;
  virtual std::shared_ptr<AccountRuntime> Find(std::string_view id) const = 0;
  virtual AccountList All() const = 0;
  virtual std::shared_ptr<const AccessGuard> guard() const = 0;
};

struct LocalApiOptions {
  // How long a token read waits for an authorization under way.
  Duration token_wait = std::chrono::seconds(5);
  Duration invalidate_wait = std::chrono::seconds(10);
  Duration authorize_wait = std::chrono::seconds(30);
};

class LocalApi {
 public:
  // `directory`, `metrics` and `clock` must outlive the LocalApi.
  LocalApi(const AccountDirectory& directory, MetricsRegistry& metrics, std::shared_ptr<Clock> clock,
           LocalApiOptions options = {});

  // Thread-safe; never throws.
  boost::asio::awaitable<http::Response> Handle(http::Request request);

 private:
  boost::asio::awaitable<http::Response> Route(const http::Request& request);
  boost::asio::awaitable<http::Response> Proxy(const http::Request& request);
  // The hot path, GET /v1/token/{account} with a session there, answered
  // without a coroutine frame of its own; nullopt for everything else.
  std::optional<http::Response> FastToken(const http::Request& request) const;
  boost::asio::awaitable<http::Response> Token(const http::Request& request, AccountRuntime& account);
  boost::asio::awaitable<http::Response> Invalidate(const http::Request& request, AccountRuntime& account);
  boost::asio::awaitable<http::Response> Authorize(AccountRuntime& account);
  http::Response Accounts() const;
  http::Response Ready() const;
  http::Response StatusPage() const;

  const AccountDirectory& directory_;
  MetricsRegistry& metrics_;
  std::shared_ptr<Clock> clock_;
  LocalApiOptions options_;
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_LOCAL_API_H_
