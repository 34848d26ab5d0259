#include "cli/agent_commands.h"

#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "agent/config.h"
#include "http/sync_call.h"
#include "util/clock_flags.h"
#include "util/log.h"

namespace tokenwarden::cli {
namespace {

struct ServeOptions {
  std::string config;
  double time_scale = 1.0;
  long long time_origin = 0;
};

// Lifts the soft open-files limit to the hard one (Debian's soft default,
// 1024, would cap the agent near a thousand connections).
void RaiseOpenFilesLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

int Serve(const ServeOptions& o) {
  RaiseOpenFilesLimit();
  // Block the signals before any thread starts; this thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto config = agent::LoadConfig(o.config);
  if (!config.ok()) return Fail(config.error());
  auto clock = ClockFromFlags(o.time_scale, o.time_origin);
  if (!clock.ok()) return Fail(clock.error());
  auto agent = agent::Agent::Start(std::move(*config), *clock);
  if (!agent.ok()) return Fail(agent.error());
  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      auto next = agent::LoadConfig(o.config);
      Status s = next.ok() ? (*agent)->Reload(std::move(*next)) : Status(next.error());
      if (!s.ok()) log::Error("reload_failed", {{"error", s.error().message}, {"kept", "the previous configuration"}});
      continue;
    }
    log::Info("agent_stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    (*agent)->Stop(std::chrono::seconds(10));
    return 0;
  }
}

struct ClientOptions {
  std::string agent;   // HOST:PORT or unix:/path
  std::string config;  // read [agent] listen from it
  std::string token;   // a [[client]] token
  bool json = false;
};

Result<std::string> AgentAddress(const ClientOptions& o) {
  if (!o.agent.empty()) return o.agent;
  if (!o.config.empty()) {
    TW_ASSIGN_OR_RETURN(auto config, agent::LoadConfig(o.config));
    return config.listen;
  }
  return std::string("127.0.0.1:8707");
}

// One call to the agent; the body of a 2xx answer, else the agent's message.
Result<nlohmann::json> CallAgent(const ClientOptions& o, const std::string& method, const std::string& target) {
  TW_ASSIGN_OR_RETURN(std::string address, AgentAddress(o));
  http::Headers headers = {{"Tokenwarden-Request", "1"}};
  std::string token = o.token;
  if (token.empty()) {
    if (const char* env = std::getenv("TOKENWARDEN_CLIENT_TOKEN")) token = env;
  }
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  auto reply = http::SyncCall(address, method, target, headers, "", std::chrono::seconds(60));
  if (!reply.ok()) {
    return MakeError(reply.error().code, reply.error().message + " (is `tokenwarden serve` running there? --agent or --config says where)");
  }
  nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, false);
  if (reply->status / 100 != 2) {
    std::string message = body.is_object() ? body.value("message", reply->body) : reply->body;
    std::string code = body.is_object() ? body.value("error", "") : "";
    return MakeError(ErrorCode::kUnavailable, "agent answered " + std::to_string(reply->status) +
                                                  (code.empty() ? "" : " " + code) + ": " + message);
  }
  if (body.is_discarded()) return MakeError(ErrorCode::kInternal, "the agent's answer is not JSON");
  return body;
}

std::string Field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

void PrintAccounts(const nlohmann::json& body) {
  std::printf("%-16s %-9s %-14s %-4s %-24s %-24s %s\n", "ACCOUNT", "PROVIDER", "STATE", "GEN", "EXPIRES (UTC)",
              "NEXT REFRESH (UTC)", "NOTE");
  for (const auto& a : body.value("accounts", nlohmann::json::array())) {
    std::string note;
    if (a.contains("action")) note = Field(a, "action");
    else if (a.value("last_error", nlohmann::json()).is_object()) note = "last error: " + Field(a["last_error"], "code");
    if (a.value("inactivity_warning", false)) {
      note += (note.empty() ? "" : "; ") + std::string("unused for ") + Field(a, "days_since_last_use") +
              " days: the bank closes access at 200";
    }
    std::printf("%-16s %-9s %-14s %-4s %-24s %-24s %s\n", Field(a, "account").c_str(), Field(a, "provider").c_str(),
                Field(a, "state").c_str(), Field(a, "generation").c_str(), Field(a, "expires_at").c_str(),
                Field(a, "refresh_at").c_str(), note.c_str());
  }
}

void AddClientOptions(CLI::App* cmd, const std::shared_ptr<ClientOptions>& o) {
  cmd->add_option("--agent", o->agent, "The agent's address: HOST:PORT or unix:/path (default: --config's listen, else 127.0.0.1:8707)");
  cmd->add_option("--config", o->config, "The agent's configuration file, to find its address")->check(CLI::ExistingFile);
  cmd->add_option("--token", o->token, "A [[client]] token of the agent (default: $TOKENWARDEN_CLIENT_TOKEN)");
}

}  // namespace

void AddServeCommand(CLI::App& root, RunFn& run) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = root.add_subcommand(
      "serve", "Run the agent: keep every configured account's session alive and serve the local API "
               "(GET /v1/token/ACCOUNT, /proxy/ACCOUNT/..., status page on /). SIGHUP reloads, SIGTERM drains");
  cmd->add_option("--config", o->config, "TOML configuration ([agent] and [[account]] tables)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--time-scale", o->time_scale, "Simulated seconds per real second (demos and tests)")
      ->capture_default_str();
  cmd->add_option("--time-origin", o->time_origin, "Unix seconds where the scaled clock starts (share it with the emulator)");
  cmd->callback([&run, o] { run = [o] { return Serve(*o); }; });
}

void AddOperatorCommands(CLI::App& root, RunFn& run) {
  {
    auto o = std::make_shared<ClientOptions>();
    auto* cmd = root.add_subcommand("status", "Show every account of a running agent: state, expiry, next refresh, problems");
    AddClientOptions(cmd, o);
    cmd->add_flag("--json", o->json, "Print the agent's JSON answer");
    cmd->callback([&run, o] {
      run = [o] {
        auto body = CallAgent(*o, "GET", "/v1/accounts");
        if (!body.ok()) return Fail(body.error());
        if (o->json) std::cout << body->dump(2) << "\n";
        else PrintAccounts(*body);
        return 0;
      };
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto account = std::make_shared<std::string>();
    auto* cmd = root.add_subcommand("token", "Print an account's current session headers (JSON) from a running agent");
    cmd->add_option("ACCOUNT", *account, "The account id")->required();
    AddClientOptions(cmd, o);
    cmd->callback([&run, o, account] {
      run = [o, account] {
        auto body = CallAgent(*o, "GET", "/v1/token/" + *account);
        if (!body.ok()) return Fail(body.error());
        std::cout << body->dump(2) << "\n";
        return 0;
      };
    });
  }
  {
    auto o = std::make_shared<ClientOptions>();
    auto account = std::make_shared<std::string>();
    auto* cmd = root.add_subcommand(
        "authorize", "Authorize an account now, also after needs_support (once the bank's support reopened access)");
    cmd->add_option("ACCOUNT", *account, "The account id")->required();
    AddClientOptions(cmd, o);
    cmd->callback([&run, o, account] {
      run = [o, account] {
        auto body = CallAgent(*o, "POST", "/v1/accounts/" + *account + "/authorize");
        if (!body.ok()) return Fail(body.error());
        std::printf("%s: authorized, generation %s, expires %s\n", account->c_str(), Field(*body, "generation").c_str(),
                    Field(*body, "expires_at").c_str());
        return 0;
      };
    });
  }
}

}  // namespace tokenwarden::cli
