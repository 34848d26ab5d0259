// One configured account, running: its provider, its TokenManager and the
// HTTP client its upstream calls (authorizations and proxied requests) use.
#ifndef TOKENWARDEN_AGENT_ACCOUNT_RUNTIME_H_
#define TOKENWARDEN_AGENT_ACCOUNT_RUNTIME_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "agent/account_view.h"
#include "agent/config.h"
#include "agent/metrics.h"
#include "agent/token_json.h"
#include "http/client/http_client.h"
#include "tokenwarden/session_store.h"
#include "tokenwarden/token_manager.h"

namespace tokenwarden::agent {

// HMAC-SHA-256 under a key drawn once per process: equal exactly when the
// settings are (but for a 2^-128 chance), and no use to anyone who reads
// it from memory without the key.
using SettingsDigest = std::array<unsigned char, 32>;

struct AccountRuntime {
  std::string id;
  // The digest of the account's settings (AccountSettings): a reload
  // compares it to tell a changed account from an unchanged one. Kept
  // instead of the parsed AccountConfig (about 0.4 KiB an account) or the
  // settings themselves (their secrets, and ~130 B).
  SettingsDigest settings{};
  std::shared_ptr<http::HttpClient> client;
  std::shared_ptr<TokenManager> manager;
  std::shared_ptr<Clock> clock;
  // Where /proxy/{account}/ forwards: the first base URL, one copy shared
  // by the accounts that have the same.
  std::shared_ptr<const http::BaseUrl> proxy_base;
  Counter token_reads;  // tokenwarden_token_reads_total{account}
  // tokenwarden_proxy_requests_total{account,status}, by status.
  CounterCache proxy_requests;
  // Drop-in listener: authorizations answered from the session (each one an
  // upstream authorization saved), and forwarded calls by status.
  Counter dropin_authorizations;  // tokenwarden_dropin_authorizations_answered_total{account}
  CounterCache dropin_requests;   // tokenwarden_dropin_requests_total{account,status}
  Counter dropin_forwarded;       // the same, all statuses (the status page)
  TokenJsonCache token_json;
};

// HTTP clients shared by the accounts whose client settings match. Each
// client talking https holds a TLS context with its trust store (the
// issuers read so far from the system's directory, or a whole bundle file of
// about 0.9 MiB parsed), which thousands of accounts cannot each have; the
// connection pool is kept per origin, so sharing also shares warm
// connections to one upstream.
class HttpClients {
 public:
  Result<std::shared_ptr<http::HttpClient>> For(const AccountConfig& config);

  // Closes every client's idle pooled connections. Their sockets belong to
  // the io_contexts they were opened on (the agent's and the server's):
  // call it while those still exist.
  void CloseIdle();

 private:
  using Key = std::tuple<std::string, bool, Duration::rep, size_t>;  // ca_file, allow_insecure_http, timeout, pipeline
  std::mutex mu_;
  std::map<Key, std::shared_ptr<http::HttpClient>> clients_;
};

struct AccountDeps {
  std::shared_ptr<Clock> clock;
  std::shared_ptr<SessionStore> store;
  boost::asio::any_io_executor executor;
  std::string holder_id;  // this agent in leases
  Duration lease_ttl = std::chrono::seconds(30);  // real time
  std::shared_ptr<HttpClients> clients = std::make_shared<HttpClients>();
  // Authorizations under way at once across the agent's accounts.
  std::shared_ptr<AuthorizationLimit> authorizations = MakeAuthorizationLimit(64);
};

// Reads the account's key file, builds its provider and manager (not
// started). Errors name the account and the field.
Result<std::shared_ptr<AccountRuntime>> MakeAccountRuntime(const AccountConfig& config, const AccountDeps& deps);

// True when a reload may keep the running account: nothing that affects its
// upstream, credentials or schedule changed.
// The digest of every setting of `config` in one canonical string
// (length-prefixed fields, secrets included): equal exactly when the
// configs are.
SettingsDigest AccountSettings(const AccountConfig& config);
// Whether `config` is the configuration `running` was built from.
bool SameAccount(const AccountRuntime& running, const AccountConfig& config);

// The status page's and /v1/accounts' view of the account.
AccountView ViewOf(const AccountRuntime& account);

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_ACCOUNT_RUNTIME_H_
