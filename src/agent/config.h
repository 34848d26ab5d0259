// The agent's configuration: one [agent] table and any number of [[account]]
// tables in TOML, with ${ENV} interpolation so secrets stay out of the file.
//
//   [agent]
//   listen = "127.0.0.1:8707"          # or "unix:/run/tokenwarden.sock"
//   state_dir = "/var/lib/tokenwarden"
//
//   [dropin]                           # off unless given
//   listen = "127.0.0.1:8708"
//
//   [[account]]
//   id = "shop"
//   provider = "alliance"
//   service_code = "${ALLIANCE_SERVICE_CODE}"
//   private_jwk_file = "/etc/tokenwarden/alliance.jwk.json"
//
// Every error names the file, the account and the field.
#ifndef TOKENWARDEN_AGENT_CONFIG_H_
#define TOKENWARDEN_AGENT_CONFIG_H_

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"
#include "tokenwarden/secret.h"

namespace tokenwarden::agent {

inline constexpr std::string_view kAllianceProductionUrl = "https://api-ecom-prod.bankalliance.ua";
inline constexpr std::string_view kNovaPostUrl = "https://api.novapost.com/v.1.0";
inline constexpr std::string_view kNovaPoshtaUrl = "https://api.novaposhta.ua/v.1.0";

// A local client allowed to read some accounts (Authorization: Bearer TOKEN).
struct ClientConfig {
  std::string name;
  Secret token;
  std::vector<std::string> accounts;  // "*" for all
};

struct AccountConfig {
  std::string id;
  std::string provider;                // "alliance" or "novapost"
  std::vector<std::string> base_urls;  // Nova Post: tried in order (failover)
  bool allow_insecure_http = false;    // plain http:// beyond loopback
  std::string ca_file;                 // extra trust anchor for the upstream
  // How long one upstream exchange (authorize or proxied call) may take.
  Duration timeout = std::chrono::seconds(30);
  // GET and HEAD requests through the proxy that may share one upstream
  // connection at once, pipelined (HTTP/1.1); 0 or 1 (the default): one at
  // a time. For upstreams known to answer pipelined requests in order.
  size_t pipeline = 0;
  // Alliance Bank.
  Secret service_code;
  std::filesystem::path private_jwk_file;
  Duration refresh_every = std::chrono::hours(12);
  std::string api_version = "v1";
  // Nova Post.
  Secret api_key;
  // Live tokens per key the agent may hold. 2 lets a new token overlap the
  // old one for a moment; with 1 every hourly renewal leaves a short gap
  // (the old token must expire first).
  int max_active_sessions = 2;
  // A drop-in listener of the account's own (HOST:PORT or unix:/path),
  // besides [dropin]; empty: none. Takes effect at start.
  std::string dropin_listen;
};

struct AgentConfig {
  std::filesystem::path file;          // where it was read from
  std::string listen = "127.0.0.1:8707";
  std::filesystem::path state_dir = "/var/lib/tokenwarden";
  std::string state = "file";          // "file" or "redis://[user:password@]host:port/db"
  std::filesystem::path master_key_file;  // default: state_dir/master.key
  // Fleet mode: how long (real time) an agent's claim to refresh an account
  // outlives the agent if it dies mid-refresh.
  Duration lease_ttl = std::chrono::seconds(30);
  int threads = 2;
  // Local connections open at once; past it a new one is closed at once.
  int max_connections = 16384;
  std::string log_level = "info";
  // [dropin] listen: the drop-in listener for every account (docs/DROPIN.md);
  // empty (the default): off.
  std::string dropin_listen;
  std::vector<ClientConfig> clients;
  std::vector<AccountConfig> accounts;

  const AccountConfig* FindAccount(std::string_view id) const;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
std::optional<std::string> SystemEnv(const std::string& name);

// Parses and validates. `file_name` is used in error messages.
Result<AgentConfig> ParseConfig(std::string_view toml_text, const std::filesystem::path& file_name,
                                const EnvLookup& env = SystemEnv);
Result<AgentConfig> LoadConfig(const std::filesystem::path& file, const EnvLookup& env = SystemEnv);

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_CONFIG_H_
