// The agent's own life as an operator sees it, real processes on loopback:
// a reload on SIGHUP, a stop on SIGTERM, a restart, a configuration refused
// at start, a Unix socket for a listener.
#include <sys/wait.h>

#include <filesystem>
#include <future>

#include "agent/agent_process_test_util.h"

namespace tokenwarden::agent {
namespace {

TEST_F(AgentProcessTest, ReloadKeepsTheSessionsOfUnchangedAccounts) {
  StartAgent();
  std::string shop_device = Token("shop")["headers"].value("x-device_id", "");
  Token("delivery");
  ASSERT_EQ(Emu("POST", "/_emulator/novapost/keys", R"({"apiKey":"second-key-0123"})").status, 201);
  secrets_.insert("second-key-0123");
  std::string emu = "http://127.0.0.1:" + std::to_string(emu_port_);
  WriteConfig(Config("", "\n[[account]]\nid = \"parcels\"\nprovider = \"novapost\"\nbase_url = \"" + emu +
                             "/v.1.0\"\napi_key = \"second-key-0123\"\n"));
  ASSERT_EQ(::kill(agent_->pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor([&] { return V1("GET", "/v1/token/parcels").status == 200; })) << Slurp(agent_log_);
  EXPECT_EQ(Token("shop")["headers"].value("x-device_id", ""), shop_device);
  EXPECT_EQ(Token("shop")["generation"], 1);
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 1);
  EXPECT_EQ(Authorizations("novapost", kApiKey), 1);
  EXPECT_EQ(Authorizations("novapost", "second-key-0123"), 1);

  // A broken file is refused as a whole; the running accounts go on.
  WriteConfig(Config("refresh_every = \"48h\"\n"));
  ASSERT_EQ(::kill(agent_->pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitFor([&] { return Slurp(agent_log_).find("reload_failed") != std::string::npos; }));
  EXPECT_NE(Slurp(agent_log_).find("refresh_every"), std::string::npos);
  EXPECT_EQ(V1("GET", "/v1/token/parcels").status, 200);
  EXPECT_EQ(Token("shop")["generation"], 1);
}

TEST_F(AgentProcessTest, SigtermLetsACallInFlightFinishThenExits) {
  StartAgent();
  Fault({{"kind", "delay"}, {"delay_ms", 1500}, {"path_prefix", "/ecom/"}, {"count", 1}});
  auto call = std::async(std::launch::async, [this] {
    return Agent("POST", kOrderPath, {{"content-type", "application/json"}}, kOrder);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto t0 = std::chrono::steady_clock::now();
  int status = agent_->Stop(SIGTERM, std::chrono::seconds(15));
  auto r = call.get();
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(Agent("GET", "/healthz").status, 0) << "no longer listening";
  std::string log = Slurp(agent_log_);
  EXPECT_NE(log.find("\"event\":\"agent_stopping\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"event\":\"agent_stopped\""), std::string::npos) << log;
}

TEST_F(AgentProcessTest, ARestartedAgentAdoptsTheStoredSessions) {
  StartAgent();
  std::string device = Token("shop")["headers"].value("x-device_id", "");
  ASSERT_EQ(agent_->Stop(SIGTERM), 0);
  StartAgent();
  EXPECT_EQ(Token("shop")["headers"].value("x-device_id", ""), device);
  EXPECT_EQ(Authorizations("alliance", kServiceCode), 1);
  EXPECT_EQ(Authorizations("novapost", kApiKey), 1);
  // One line says how many accounts started with a restored session.
  const std::string started = R"("event":"accounts_started","accounts":2,)";
  ASSERT_TRUE(WaitFor([&] { return Slurp(agent_log_).find(started) != std::string::npos; })) << Slurp(agent_log_);
  std::string log = Slurp(agent_log_);
  EXPECT_NE(log.find(R"("sessions_restored":2)", log.find(started)), std::string::npos) << log;
  EXPECT_EQ(log.find(R"("event":"session_restored")"), std::string::npos) << "per account only at debug level";
  // The state files hold no secret in the clear.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ + "/state")) {
    if (!entry.is_regular_file()) continue;
    std::string data = Slurp(entry.path());
    for (const auto& s : secrets_) EXPECT_EQ(data.find(s), std::string::npos) << entry.path() << " holds " << s;
    auto perms = std::filesystem::status(entry.path()).permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none) << entry.path();
  }
}

TEST_F(AgentProcessTest, BadConfigurationFailsAtStartNamingTheField) {
  WriteConfig(Config("refresh_every = \"25h\"\n"));
  ::setenv("TW_TEST_SERVICE_CODE", kServiceCode, 1);
  ::setenv("TW_TEST_API_KEY", kApiKey, 1);
  auto r = testing::RunProcess({kBin, "serve", "--config", dir_ + "/agent.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("agent.toml: account #1 (id 'shop'): field 'refresh_every'"), std::string::npos) << r.err;
  ::unsetenv("TW_TEST_API_KEY");
  WriteConfig(Config());
  r = testing::RunProcess({kBin, "serve", "--config", dir_ + "/agent.toml"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("TW_TEST_API_KEY"), std::string::npos) << r.err;
}

TEST_F(AgentProcessTest, ServesOnAUnixSocketAndTheCliReachesIt) {
  std::string sock = dir_ + "/agent.sock";
  std::string config = Config();
  config.replace(config.find("listen = "), config.find('\n', config.find("listen = ")) - config.find("listen = "),
                 "listen = \"unix:" + sock + "\"");
  WriteConfig(config);
  ::setenv("TW_TEST_SERVICE_CODE", kServiceCode, 1);
  ::setenv("TW_TEST_API_KEY", kApiKey, 1);
  agent_log_ = dir_ + "/agent.log";
  testing::ChildProcess agent({kBin, "serve", "--config", dir_ + "/agent.toml"}, agent_log_);
  testing::ProcessResult token;
  ASSERT_TRUE(WaitFor([&] {
    token = testing::RunProcess({kBin, "token", "delivery", "--agent", "unix:" + sock});
    return token.exit_code == 0;
  })) << token.err << Slurp(agent_log_);
  auto j = nlohmann::json::parse(token.out);
  EXPECT_EQ(j["account"], "delivery");
  secrets_.insert(j["headers"].value("Authorization", ""));
  // The socket is the agent's access control: its owner and group only.
  auto perms = std::filesystem::status(sock).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::others_all, std::filesystem::perms::none);
  EXPECT_NE(perms & std::filesystem::perms::group_write, std::filesystem::perms::none);
  auto status = testing::RunProcess({kBin, "status", "--config", dir_ + "/agent.toml"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("shop"), std::string::npos) << status.out;
  EXPECT_EQ(agent.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace tokenwarden::agent
