#include "agent/account_runtime.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <optional>

#include "jose/jwk.h"
#include "providers/alliance_provider.h"
#include "providers/novapost_provider.h"
#include "util/file_io.h"
#include "util/interned.h"

namespace tokenwarden::agent {
namespace {

Error AccountError(const AccountConfig& c, const Error& e) {
  return MakeError(e.code, "account '" + c.id + "': " + e.message);
}

Result<std::shared_ptr<Provider>> MakeProvider(const AccountConfig& c, std::shared_ptr<http::HttpClient> client,
                                               std::shared_ptr<Clock> clock) {
  if (c.provider == "alliance") {
    auto text = ReadFile(c.private_jwk_file);
    if (!text.ok()) return MakeError(text.error().code, "private_jwk_file: " + text.error().message);
    Secret jwk(std::move(*text));
    auto key = jose::EcKey::FromJwkString(jwk.reveal());
    if (!key.ok()) {
      return MakeError(key.error().code,
                       "private_jwk_file " + c.private_jwk_file.string() + ": " + key.error().message);
    }
    providers::AllianceConfig a;
    a.base_url = c.base_urls.empty() ? "" : c.base_urls.front();
    a.service_code = c.service_code;
    a.private_key = std::move(*key);
    a.api_version = c.api_version;
    a.refresh_every = c.refresh_every;
    return providers::MakeAllianceProvider(std::move(a), std::move(client), std::move(clock));
  }
  if (c.provider == "novapost") {
    providers::NovaPostConfig n;
    n.base_urls = c.base_urls;
    n.api_key = c.api_key;
    n.max_active_sessions = c.max_active_sessions;
    return providers::MakeNovaPostProvider(std::move(n), std::move(client), std::move(clock));
  }
  return MakeError(ErrorCode::kInvalidArgument, "provider '" + c.provider + "' is not known");
}

}  // namespace

Result<std::shared_ptr<http::HttpClient>> HttpClients::For(const AccountConfig& config) {
  Key key{config.ca_file, config.allow_insecure_http, config.timeout.count(), config.pipeline};
  std::lock_guard lock(mu_);
  if (auto it = clients_.find(key); it != clients_.end()) return it->second;
  http::HttpClientOptions ho;
  ho.ca_file = config.ca_file;
  ho.allow_insecure_http = config.allow_insecure_http;
  ho.connect_timeout = std::min(ho.connect_timeout, config.timeout);
  ho.write_timeout = config.timeout;
  ho.read_timeout = config.timeout;
  // The proxy serves many local callers at once: keep enough upstream
  // connections warm that each does not pay a new connect (and handshake).
  ho.max_idle_per_origin = 64;
  // Shared by every account with these settings: a start with thousands of
  // accounts authorizes 256 at a time, not all at once.
  ho.max_in_flight = 256;
  ho.pipeline_depth = config.pipeline;
  TW_ASSIGN_OR_RETURN(auto client, http::MakeHttpClient(ho));
  clients_.emplace(key, client);
  return client;
}

void HttpClients::CloseIdle() {
  std::lock_guard lock(mu_);
  for (auto& [key, client] : clients_) client->CloseIdle();
}

Result<std::shared_ptr<AccountRuntime>> MakeAccountRuntime(const AccountConfig& config, const AccountDeps& deps) {
  auto out = std::make_shared<AccountRuntime>();
  out->id = config.id;
  out->settings = AccountSettings(config);
  auto client = deps.clients->For(config);
  if (!client.ok()) return AccountError(config, client.error());
  out->client = *client;
  // Parsed once here, not on every proxied request; the same copy is shared
  // by accounts with the same base, as most of a large fleet has.
  static LastInterned<http::BaseUrl> proxy_bases;
  std::string_view base_text = config.base_urls.empty() ? std::string_view() : config.base_urls.front();
  std::optional<Error> bad_base;
  out->proxy_base = proxy_bases.GetIf([&](const http::BaseUrl& last) { return last.text == base_text; },
                                      [&]() -> std::shared_ptr<const http::BaseUrl> {
                                        auto parsed = http::BaseUrl::Parse(base_text);
                                        if (parsed.ok()) return std::make_shared<const http::BaseUrl>(std::move(*parsed));
                                        bad_base = parsed.error();
                                        return nullptr;
                                      });
  if (bad_base) return AccountError(config, *bad_base);
  auto provider = MakeProvider(config, out->client, deps.clock);
  if (!provider.ok()) return AccountError(config, provider.error());
  TokenManagerOptions o;
  o.account = config.id;
  o.provider = std::move(*provider);
  o.clock = deps.clock;
  o.store = deps.store;
  o.holder_id = deps.holder_id;
  o.lease_ttl = deps.lease_ttl;
  o.authorization_limit = deps.authorizations;
  if (config.provider == "novapost") o.max_live_sessions = config.max_active_sessions;
  auto manager = TokenManager::Create(std::move(o), deps.executor);
  if (!manager.ok()) return AccountError(config, manager.error());
  out->manager = *manager;
  out->clock = deps.clock;
  return out;
}

SettingsDigest AccountSettings(const AccountConfig& c) {
  // A field added to AccountConfig must be added here too (and to the test).
  static_assert(sizeof(AccountConfig) == 328, "AccountConfig changed: update AccountSettings");
  WipingString out;  // holds the secrets while it grows
  auto field = [&out](std::string_view v) {
    out += std::to_string(v.size());
    out += ':';
    out += v;
  };
  auto number = [&field](long long n) { field(std::to_string(n)); };
  field(c.id);
  field(c.provider);
  number(static_cast<long long>(c.base_urls.size()));
  for (const std::string& url : c.base_urls) field(url);
  number(c.allow_insecure_http);
  field(c.ca_file);
  number(c.timeout.count());
  number(static_cast<long long>(c.pipeline));
  field(c.service_code.reveal());
  field(c.private_jwk_file.native());
  number(c.refresh_every.count());
  field(c.api_version);
  field(c.api_key.reveal());
  number(c.max_active_sessions);
  // Not dropin_listen: listeners are made at start, a reload cannot move
  // one, and the account itself (upstream, credentials, schedule) is the
  // same.
  static const std::array<unsigned char, 32> key = [] {
    std::array<unsigned char, 32> k{};
    // Without randomness the digest still tells settings apart; only its
    // use to someone reading memory changes.
    (void)RAND_bytes(k.data(), static_cast<int>(k.size()));
    return k;
  }();
  SettingsDigest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(out.data()),
       out.size(), digest.data(), &length);
  return digest;
}

bool SameAccount(const AccountRuntime& running, const AccountConfig& config) {
  SettingsDigest digest = AccountSettings(config);
  return running.id == config.id && CRYPTO_memcmp(running.settings.data(), digest.data(), digest.size()) == 0;
}

AccountView ViewOf(const AccountRuntime& account) {
  AccountStatus s = account.manager->Status();
  AccountView v;
  v.id = s.account;
  v.provider = s.provider;
  v.state = std::string(AccountStateName(s.state));
  v.generation = s.generation;
  v.issued_at = s.issued_at;
  v.expires_at = s.expires_at;
  v.refresh_at = s.next_attempt ? s.next_attempt : s.refresh_at;
  v.next_retry = s.next_retry;
  v.consecutive_failures = s.consecutive_failures;
  v.last_error_code = s.last_error_code;
  v.last_error_message = s.last_error_message;
  v.last_used = s.last_used;
  v.support_message = s.support_message;
  v.dropin_authorizations = account.dropin_authorizations.value();
  v.dropin_forwarded = account.dropin_forwarded.value();
  return v;
}

}  // namespace tokenwarden::agent
