// Test fixture: the real `tokenwarden emulate --demo` and `tokenwarden serve`
// binaries on free loopback ports, each with its log in a temporary
// directory. Every test ends by scanning the agent's log, metrics, status
// page and account list for the secrets it used: none may appear.
#ifndef TOKENWARDEN_AGENT_AGENT_PROCESS_TEST_UTIL_H_
#define TOKENWARDEN_AGENT_AGENT_PROCESS_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "testing/bank_examples.h"
#include "testing/http_call.h"
#include "testing/subprocess.h"
#include "testing/wait_for.h"

namespace tokenwarden::agent {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A field of /proc/PID/status in KiB ("VmRSS", "VmHWM"), or -1.
inline long StatusKiB(pid_t pid, std::string_view field = "VmRSS") {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 && line[field.size()] == ':') {
      return std::atol(line.c_str() + field.size() + 1);
    }
  }
  return -1;
}
inline long ResidentKiB(pid_t pid) { return StatusKiB(pid, "VmRSS"); }

using testing::WaitFor;

inline constexpr const char* kTokenwardenBin = TW_BIN_DIR "/tokenwarden";

// The documented create-order example, sent to the shop through the proxy.
inline const std::string kOrder = testing::ExampleOrderBody("m-1", 100);
inline const std::string kOrderPath = "/proxy/shop/ecom/execute_request/hpp/v1/create-order";

class AgentProcessTest : public ::testing::Test {
 protected:
  static constexpr const char* kBin = kTokenwardenBin;
  static constexpr const char* kServiceCode = "00000000-0000-4000-8000-00000000demo";
  static constexpr const char* kApiKey = "demo-novapost-api-key";

  void SetUp() override {
    dir_ = testing::MakeTempDir("tw-agent");
    emu_port_ = testing::FreeLoopbackPort();
    agent_port_ = testing::FreeLoopbackPort();
    emulator_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{kBin, "emulate", "--demo", "--demo-dir", dir_ + "/demo", "--listen",
                                 "127.0.0.1:" + std::to_string(emu_port_)},
        dir_ + "/emulator.log");
    ASSERT_TRUE(WaitFor([&] { return Emu("GET", "/_emulator/clock").status == 200; })) << Slurp(dir_ + "/emulator.log");
    auto jwk = nlohmann::json::parse(Slurp(dir_ + "/demo/alliance.private.jwk.json"));
    secrets_ = {kServiceCode, kApiKey, jwk.at("d").get<std::string>()};
  }

  void TearDown() override {
    if (agent_ && agent_->running()) {
      ScanForSecrets();
      agent_->Stop(SIGTERM);
    }
    if (!agent_log_.empty()) {
      std::string log = Slurp(agent_log_);
      for (const auto& s : secrets_) EXPECT_EQ(log.find(s), std::string::npos) << "secret in the agent's log: " << s;
    }
    if (HasFailure() && !agent_log_.empty()) std::cerr << "agent log:\n" << Slurp(agent_log_) << "\n";
    emulator_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The agent's configuration for the demo upstreams; `extra` is appended
  // (more [[account]] or [[client]] tables), `shop_extra` goes into the
  // Alliance account's table.
  std::string Config(const std::string& shop_extra = "", const std::string& extra = "") const {
    std::string emu = "http://127.0.0.1:" + std::to_string(emu_port_);
    return "[agent]\nlisten = \"127.0.0.1:" + std::to_string(agent_port_) + "\"\nstate_dir = \"" + dir_ +
           "/state\"\n\n[[account]]\nid = \"shop\"\nprovider = \"alliance\"\nbase_url = \"" + emu +
           "\"\nservice_code = \"${TW_TEST_SERVICE_CODE}\"\nprivate_jwk_file = \"" + dir_ +
           "/demo/alliance.private.jwk.json\"\n" + shop_extra + "\n[[account]]\nid = \"delivery\"\nprovider = " +
           "\"novapost\"\nbase_url = \"" + emu + "/v.1.0\"\napi_key = \"${TW_TEST_API_KEY}\"\n" + extra;
  }

  void WriteConfig(const std::string& text) {
    std::ofstream(dir_ + "/agent.toml") << text;
  }

  // Starts `tokenwarden serve` and waits until every account can serve.
  void StartAgent(const std::string& config_text = "", bool wait_ready = true) {
    WriteConfig(config_text.empty() ? Config() : config_text);
    agent_log_ = dir_ + "/agent.log";
    ::setenv("TW_TEST_SERVICE_CODE", kServiceCode, 1);
    ::setenv("TW_TEST_API_KEY", kApiKey, 1);
    agent_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{kBin, "serve", "--config", dir_ + "/agent.toml"}, agent_log_);
    ASSERT_TRUE(WaitFor([&] { return Agent("GET", "/healthz").status == 200; })) << Slurp(agent_log_);
    if (wait_ready) {
      ASSERT_TRUE(WaitFor([&] { return Agent("GET", "/readyz").status == 200; })) << Slurp(agent_log_);
    }
  }

  testing::HttpReply Emu(const std::string& method, const std::string& target, const std::string& body = "") {
    return testing::HttpCall(emu_port_, method, target, {{"content-type", "application/json"}}, body);
  }
  testing::HttpReply Agent(const std::string& method, const std::string& target, Headers headers = {},
                           const std::string& body = "") {
    return testing::HttpCall(agent_port_, method, target, headers, body);
  }
  // A /v1/ call as a well-behaved local client makes it.
  testing::HttpReply V1(const std::string& method, const std::string& target, Headers headers = {}) {
    headers.emplace_back("Tokenwarden-Request", "1");
    if (!operator_token_.empty() && headers.size() == 1) headers.emplace_back("Authorization", "Bearer " + operator_token_);
    return Agent(method, target, headers);
  }
  // Reads a token and remembers its secret values for the final scan.
  nlohmann::json Token(const std::string& account) {
    auto r = V1("GET", "/v1/token/" + account);
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    if (j.contains("headers")) {
      for (const auto& [name, value] : j["headers"].items()) {
        if (name != "x-api_version") secrets_.insert(value.get<std::string>());
      }
    }
    return j;
  }
  nlohmann::json Stats() { return Emu("GET", "/_emulator/stats").json(); }
  int Authorizations(const std::string& provider, const std::string& key) {
    return Stats()[provider][key].value("authorizations", -1);
  }
  void Fault(const nlohmann::json& f) { ASSERT_EQ(Emu("POST", "/_emulator/faults", f.dump()).status, 201); }
  // Faults not yet used up, as the emulator lists them.
  nlohmann::json Faults() { return Emu("GET", "/_emulator/faults").json().value("faults", nlohmann::json::array()); }

  testing::ProcessResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), kBin);
    args.push_back("--agent");
    args.push_back("127.0.0.1:" + std::to_string(agent_port_));
    if (operator_token_.empty()) {
      ::unsetenv("TOKENWARDEN_CLIENT_TOKEN");
    } else {
      ::setenv("TOKENWARDEN_CLIENT_TOKEN", operator_token_.c_str(), 1);
    }
    return testing::RunProcess(args);
  }

  // Everything the agent shows about itself, scanned for the secrets.
  void ScanForSecrets() {
    std::vector<std::pair<std::string, std::string>> shown = {
        {"/metrics", Agent("GET", "/metrics").body},
        {"/", Agent("GET", "/").body},
        {"/v1/accounts", V1("GET", "/v1/accounts").body},
        {"status", Cli({"status"}).out}};
    for (const auto& [where, text] : shown) {
      EXPECT_FALSE(text.empty()) << where;
      for (const auto& s : secrets_) EXPECT_EQ(text.find(s), std::string::npos) << "secret in " << where << ": " << s;
    }
  }

  std::string dir_;
  int emu_port_ = 0;
  int agent_port_ = 0;
  std::string agent_log_;
  std::unique_ptr<testing::ChildProcess> emulator_;
  std::unique_ptr<testing::ChildProcess> agent_;
  std::set<std::string> secrets_;
  std::string operator_token_;  // a [[client]] token allowed every account, when clients are configured
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_AGENT_PROCESS_TEST_UTIL_H_
