#include "agent/config.h"

#include <cstdlib>
#include <functional>
#include <set>
#include <toml++/toml.h>

#include "agent/toml_reader.h"
#include "util/duration.h"
#include "util/file_io.h"
#include "util/toml_text.h"

namespace tokenwarden::agent {
namespace {

bool IsSafeId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return id != "." && id != "..";
}

// True for http://127.x.y.z, http://localhost and http://[::1] (any port).
bool IsLoopbackHttp(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return false;
  std::string_view rest = url.substr(kScheme.size());
  if (rest.substr(0, 5) == "[::1]") return rest.size() == 5 || rest[5] == ':' || rest[5] == '/';
  std::string_view host = rest.substr(0, rest.find_first_of(":/"));
  if (host == "localhost") return true;
  int dots = 0, digits = 0;
  for (char c : host) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9' && ++digits <= 3) {
      continue;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0 && host.substr(0, 4) == "127.";
}

Status CheckUrl(TableReader& r, std::string_view field, const std::string& url, bool insecure_ok) {
  if (url.rfind("https://", 0) == 0) return OkStatus();
  if (url.rfind("http://", 0) == 0) {
    if (insecure_ok || IsLoopbackHttp(url)) return OkStatus();
    return r.Bad(field, "'" + url + "' is plain http:// to a non-loopback host; use https:// "
                        "(or set allow_insecure_http = true)");
  }
  return r.Bad(field, "'" + url + "' is not an https:// URL");
}

Status CheckListen(TableReader& r, std::string_view field, const std::string& listen) {
  if (listen.rfind("unix:", 0) != 0 && listen.rfind(':') == std::string::npos) {
    return r.Bad(field, "'" + listen + "' is neither HOST:PORT nor unix:/path");
  }
  return OkStatus();
}

Status ReadAlliance(TableReader& r, AccountConfig& a) {
  TW_ASSIGN_OR_RETURN(auto base, r.String("base_url"));
  a.base_urls = {base ? *base : std::string(kAllianceProductionUrl)};
  TW_ASSIGN_OR_RETURN(std::string code, r.RequiredString("service_code"));
  a.service_code = Secret(std::move(code));
  TW_ASSIGN_OR_RETURN(std::string jwk, r.RequiredString("private_jwk_file"));
  a.private_jwk_file = jwk;
  TW_ASSIGN_OR_RETURN(auto every, r.Duration("refresh_every", std::chrono::hours(1), std::chrono::hours(23),
                                               " (the session lives 24 h; the bank recommends 8h or 12h)"));
  a.refresh_every = every.value_or(a.refresh_every);
  TW_ASSIGN_OR_RETURN(auto version, r.String("api_version"));
  if (version) {
    if (*version != "1" && *version != "v1" && *version != "V1") {
      return r.Bad("api_version", "'" + *version + "' is not one of 1, v1, V1");
    }
    a.api_version = *version;
  }
  return OkStatus();
}

Status ReadNovaPost(TableReader& r, AccountConfig& a) {
  TW_ASSIGN_OR_RETURN(auto base, r.Strings("base_url"));
  TW_ASSIGN_OR_RETURN(auto bases, r.Strings("base_urls"));
  if (base && bases) return r.Bad("base_urls", "give base_url or base_urls, not both");
  if (base) a.base_urls = *base;
  else if (bases) a.base_urls = *bases;
  else a.base_urls = {std::string(kNovaPostUrl), std::string(kNovaPoshtaUrl)};
  if (a.base_urls.empty()) return r.Bad("base_urls", "is empty");
  TW_ASSIGN_OR_RETURN(std::string key, r.RequiredString("api_key"));
  a.api_key = Secret(std::move(key));
  TW_ASSIGN_OR_RETURN(auto max, r.Integer("max_active_sessions"));
  if (max) {
    if (*max < 1 || *max > 100) return r.Bad("max_active_sessions", "must be 1..100");
    a.max_active_sessions = static_cast<int>(*max);
  }
  return OkStatus();
}

Result<AccountConfig> ReadAccount(const toml::table& t, const std::string& where,
                                  const EnvLookup& env) {
  TableReader r(t, where, env);
  AccountConfig a;
  TW_ASSIGN_OR_RETURN(a.id, r.RequiredString("id"));
  if (!IsSafeId(a.id)) {
    return r.Bad("id", "'" + a.id + "' must be 1-64 characters of A-Z a-z 0-9 . _ -");
  }
  r.set_where(where + " (id '" + a.id + "')");
  TW_ASSIGN_OR_RETURN(a.provider, r.RequiredString("provider"));
  TW_ASSIGN_OR_RETURN(auto insecure, r.Bool("allow_insecure_http"));
  a.allow_insecure_http = insecure.value_or(false);
  TW_ASSIGN_OR_RETURN(auto ca, r.String("ca_file"));
  a.ca_file = ca.value_or("");
  TW_ASSIGN_OR_RETURN(auto timeout, r.Duration("timeout", std::chrono::milliseconds(100), std::chrono::minutes(5)));
  a.timeout = timeout.value_or(a.timeout);
  TW_ASSIGN_OR_RETURN(auto pipeline, r.Integer("pipeline"));
  if (pipeline) {
    if (*pipeline < 0 || *pipeline > 64) {
      return r.Bad("pipeline", "must be 0..64: how many GET and HEAD requests may share one upstream connection "
                               "at once (0 or 1: one at a time)");
    }
    a.pipeline = static_cast<size_t>(*pipeline);
  }
  if (a.provider == "alliance") {
    TW_RETURN_IF_ERROR(ReadAlliance(r, a));
  } else if (a.provider == "novapost") {
    TW_RETURN_IF_ERROR(ReadNovaPost(r, a));
  } else {
    return r.Bad("provider", "'" + a.provider + "' is not one of alliance, novapost");
  }
  for (const auto& url : a.base_urls) {
    TW_RETURN_IF_ERROR(CheckUrl(r, "base_url", url, a.allow_insecure_http));
  }
  TW_ASSIGN_OR_RETURN(auto dropin, r.String("dropin_listen"));
  if (dropin) {
    TW_RETURN_IF_ERROR(CheckListen(r, "dropin_listen", *dropin));
    a.dropin_listen = *dropin;
  }
  TW_RETURN_IF_ERROR(r.RejectUnknown());
  return a;
}

Status ReadAgent(const toml::table& t, const std::string& where, const EnvLookup& env,
                 AgentConfig& c) {
  TableReader r(t, where, env);
  TW_ASSIGN_OR_RETURN(auto listen, r.String("listen"));
  if (listen) c.listen = *listen;
  TW_RETURN_IF_ERROR(CheckListen(r, "listen", c.listen));
  TW_ASSIGN_OR_RETURN(auto state_dir, r.String("state_dir"));
  if (state_dir) c.state_dir = *state_dir;
  TW_ASSIGN_OR_RETURN(auto state, r.String("state"));
  if (state) {
    if (*state != "file" && state->rfind("redis://", 0) != 0 && state->rfind("rediss://", 0) != 0) {
      return r.Bad("state", "must be \"file\" or a redis:// URL");
    }
    c.state = *state;
  }
  TW_ASSIGN_OR_RETURN(auto key_file, r.String("master_key_file"));
  c.master_key_file = key_file ? std::filesystem::path(*key_file) : c.state_dir / "master.key";
  TW_ASSIGN_OR_RETURN(auto lease, r.Duration("lease_ttl", std::chrono::seconds(1), std::chrono::minutes(5)));
  c.lease_ttl = lease.value_or(c.lease_ttl);
  TW_ASSIGN_OR_RETURN(auto threads, r.Integer("threads"));
  if (threads) {
    if (*threads < 1 || *threads > 64) return r.Bad("threads", "must be 1..64");
    c.threads = static_cast<int>(*threads);
  }
  TW_ASSIGN_OR_RETURN(auto connections, r.Integer("max_connections"));
  if (connections) {
    if (*connections < 16 || *connections > 1000000) return r.Bad("max_connections", "must be 16..1000000");
    c.max_connections = static_cast<int>(*connections);
  }
  TW_ASSIGN_OR_RETURN(auto level, r.String("log_level"));
  if (level) {
    static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "off"};
    if (!kLevels.count(*level)) return r.Bad("log_level", "'" + *level + "' is not a log level");
    c.log_level = *level;
  }
  return r.RejectUnknown();
}

Status ReadDropin(const toml::table& t, const std::string& where, const EnvLookup& env, AgentConfig& c) {
  TableReader r(t, where, env);
  TW_ASSIGN_OR_RETURN(auto listen, r.RequiredString("listen"));
  TW_RETURN_IF_ERROR(CheckListen(r, "listen", listen));
  c.dropin_listen = listen;
  return r.RejectUnknown();
}

Result<ClientConfig> ReadClient(const toml::table& t, const std::string& where,
                                const EnvLookup& env) {
  TableReader r(t, where, env);
  ClientConfig client;
  TW_ASSIGN_OR_RETURN(client.name, r.RequiredString("name"));
  TW_ASSIGN_OR_RETURN(std::string token, r.RequiredString("token"));
  if (token.size() < 16) return r.Bad("token", "must be at least 16 characters");
  client.token = Secret(std::move(token));
  TW_ASSIGN_OR_RETURN(auto accounts, r.Strings("accounts"));
  if (!accounts || accounts->empty()) return r.Bad("accounts", "is required (\"*\" for all)");
  client.accounts = *accounts;
  TW_RETURN_IF_ERROR(r.RejectUnknown());
  return client;
}

// Calls `read` for each [[name]] table with its place for error messages
// ("<file>: account #2").
Status ForEachTable(const toml::table& root, const std::string& name, const std::string& file,
                    const std::function<Status(const toml::table&, const std::string&)>& read) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return OkStatus();
  const toml::array* arr = node->as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) {
    return MakeError(ErrorCode::kInvalidArgument, file + ": '" + name + "' must be [[" + name + "]] tables");
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    TW_RETURN_IF_ERROR(read(*arr->get(i)->as_table(), file + ": " + name + " #" + std::to_string(i + 1)));
  }
  return OkStatus();
}

}  // namespace

const AccountConfig* AgentConfig::FindAccount(std::string_view id) const {
  for (const auto& a : accounts) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

std::optional<std::string> SystemEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<AgentConfig> ParseConfig(std::string_view toml_text, const std::filesystem::path& file_name,
                                const EnvLookup& env) {
  const std::string file = file_name.string();
  TW_ASSIGN_OR_RETURN(toml::table root, ParseToml(toml_text, file));
  AgentConfig config;
  config.file = file_name;
  for (const auto& [key, node] : root) {
    std::string_view k = key.str();
    if (k != "agent" && k != "dropin" && k != "account" && k != "client") {
      return MakeError(ErrorCode::kInvalidArgument, file + ": unknown table '" + std::string(k) +
                                                        "' (expected [agent], [dropin], [[account]], [[client]])");
    }
  }
  if (const toml::node* agent = root.get("agent")) {
    if (!agent->is_table()) return MakeError(ErrorCode::kInvalidArgument, file + ": [agent] must be a table");
    TW_RETURN_IF_ERROR(ReadAgent(*agent->as_table(), file + ": [agent]", env, config));
  } else {
    config.master_key_file = config.state_dir / "master.key";
  }
  if (const toml::node* dropin = root.get("dropin")) {
    if (!dropin->is_table()) return MakeError(ErrorCode::kInvalidArgument, file + ": [dropin] must be a table");
    TW_RETURN_IF_ERROR(ReadDropin(*dropin->as_table(), file + ": [dropin]", env, config));
  }
  std::set<std::string> ids;
  TW_RETURN_IF_ERROR(ForEachTable(root, "account", file, [&](const toml::table& t, const std::string& where) -> Status {
    TW_ASSIGN_OR_RETURN(AccountConfig a, ReadAccount(t, where, env));
    if (!ids.insert(a.id).second) {
      return MakeError(ErrorCode::kInvalidArgument, where + ": field 'id': '" + a.id + "' is used by an earlier account");
    }
    config.accounts.push_back(std::move(a));
    return OkStatus();
  }));
  TW_RETURN_IF_ERROR(ForEachTable(root, "client", file, [&](const toml::table& t, const std::string& where) -> Status {
    TW_ASSIGN_OR_RETURN(ClientConfig c, ReadClient(t, where, env));
    for (const auto& id : c.accounts) {
      if (id != "*" && !ids.count(id)) {
        return MakeError(ErrorCode::kInvalidArgument, where + ": field 'accounts': no account '" + id + "'");
      }
    }
    config.clients.push_back(std::move(c));
    return OkStatus();
  }));
  if (config.accounts.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, file + ": no [[account]] is configured");
  }
  return config;
}

Result<AgentConfig> LoadConfig(const std::filesystem::path& file, const EnvLookup& env) {
  // Large enough for 100,000 [[account]] tables (about 110 bytes each).
  TW_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 64 << 20));
  return ParseConfig(text, file, env);
}

}  // namespace tokenwarden::agent
