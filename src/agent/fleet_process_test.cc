// Fleet mode as users run it: several `tokenwarden serve` processes sharing
// one real redis-server, against `tokenwarden emulate`, all on one scaled
// clock. Client load runs through every agent's proxy the whole time.
#include <signal.h>

#include <atomic>
#include <future>
#include <mutex>
#include <openssl/rand.h>

#include "agent/agent_process_test_util.h"
#include "jose/base64url.h"
#include "testing/redis_server.h"
#include "testing/storm.h"

namespace tokenwarden::agent {
namespace {

constexpr const char* kServiceCode = "00000000-0000-4000-8000-00000000demo";
constexpr const char* kApiKey = "demo-novapost-api-key";

// Proxy calls round-robin over the agents that are up, from two threads,
// bounded in count and time; every answer that is not 2xx is kept.
class ClientLoad {
 public:
  void Start(std::vector<int> ports) {
    {
      std::lock_guard l(mu_);
      ports_ = std::move(ports);
    }
    for (int t = 0; t < 2; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  void Remove(int port) {
    std::lock_guard l(mu_);
    std::erase(ports_, port);
  }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  ~ClientLoad() {
    if (!threads_.empty()) Stop();
  }
  int requests() const { return requests_; }
  std::vector<std::string> failures() {
    std::lock_guard l(mu_);
    return failures_;
  }

 private:
  void Run(int t) {
    auto end = std::chrono::steady_clock::now() + std::chrono::minutes(8);
    for (int i = 0; !stop_ && i < 200000 && std::chrono::steady_clock::now() < end; ++i) {
      int port;
      {
        std::lock_guard l(mu_);
        if (ports_.empty()) break;
        port = ports_[(i + t) % ports_.size()];
      }
      bool shop = (i + t) % 2 == 0;
      auto r = shop ? testing::HttpCall(port, "POST", "/proxy/shop/ecom/execute_request/hpp/v1/create-order",
                                        {{"content-type", "application/json"}},
                                        testing::ExampleOrderBody("fleet", 100))
                    : testing::HttpCall(port, "GET", "/proxy/delivery/divisions");
      ++requests_;
      if (r.status < 200 || r.status >= 300) {
        std::lock_guard l(mu_);
        // A port removed while the call ran belongs to an agent the test stopped.
        if (std::find(ports_.begin(), ports_.end(), port) != ports_.end()) {
          failures_.push_back(std::to_string(port) + (shop ? " shop " : " delivery ") + std::to_string(r.status) +
                              " " + r.body.substr(0, 300));
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  }

  std::mutex mu_;
  std::vector<int> ports_;
  std::vector<std::string> failures_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
};

class FleetTest : public ::testing::Test {
 protected:
  struct AgentProc {
    int port = 0;
    std::string log;
    std::unique_ptr<testing::ChildProcess> process;
  };

  // `scale` simulated seconds per real second, shared by every process.
  void StartFleet(int agents, double scale, const nlohmann::json& emulator_settings = {}) {
    ASSERT_TRUE(redis_.ok());
    dir_ = testing::MakeTempDir("tw-fleet");
    origin_ = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    scale_ = scale;
    std::string key(32, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), 32);
    ::setenv("TOKENWARDEN_MASTER_KEY", jose::Base64UrlEncode(key).c_str(), 1);  // one key for the fleet
    ::setenv("TW_TEST_SERVICE_CODE", kServiceCode, 1);
    ::setenv("TW_TEST_API_KEY", kApiKey, 1);
    emu_port_ = testing::FreeLoopbackPort();
    emulator_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{kTokenwardenBin, "emulate", "--demo", "--demo-dir", dir_ + "/demo", "--listen",
                                 "127.0.0.1:" + std::to_string(emu_port_), "--time-scale", std::to_string(scale),
                                 "--time-origin", std::to_string(origin_)},
        dir_ + "/emulator.log");
    ASSERT_TRUE(WaitFor([&] { return Emu("GET", "/_emulator/clock").status == 200; })) << Slurp(dir_ + "/emulator.log");
    if (!emulator_settings.empty()) {
      ASSERT_EQ(Emu("POST", "/_emulator/settings", emulator_settings.dump()).status, 200);
    }
    for (int i = 0; i < agents; ++i) {
      agents_.push_back(AgentProc{testing::FreeLoopbackPort(), dir_ + "/agent-" + std::to_string(i) + ".log", nullptr});
      StartAgent(i);
    }
    for (int i = 0; i < agents; ++i) {
      ASSERT_TRUE(WaitFor([&] { return Call(i, "GET", "/readyz").status == 200; }, std::chrono::seconds(30)))
          << Slurp(agents_[i].log);
    }
  }

  void StartAgent(int i) {
    std::string emu = "http://127.0.0.1:" + std::to_string(emu_port_);
    std::string path = dir_ + "/agent-" + std::to_string(i) + ".toml";
    std::ofstream(path) << "[agent]\nlisten = \"127.0.0.1:" << agents_[i].port << "\"\nstate_dir = \"" << dir_
                        << "/state-" << i << "\"\nstate = \"" << redis_.url() << "\"\nlease_ttl = \"3s\"\n\n"
                        << "[[account]]\nid = \"shop\"\nprovider = \"alliance\"\nbase_url = \"" << emu
                        << "\"\nservice_code = \"${TW_TEST_SERVICE_CODE}\"\nprivate_jwk_file = \"" << dir_
                        << "/demo/alliance.private.jwk.json\"\n\n[[account]]\nid = \"delivery\"\n"
                        << "provider = \"novapost\"\nbase_url = \"" << emu << "/v.1.0\"\napi_key = \"${TW_TEST_API_KEY}\"\n";
    agents_[i].process = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{kTokenwardenBin, "serve", "--config", path, "--time-scale", std::to_string(scale_),
                                 "--time-origin", std::to_string(origin_)},
        agents_[i].log);
  }

  void TearDown() override {
    load_.reset();
    for (auto& a : agents_) {
      if (a.process && a.process->running()) a.process->Stop(SIGTERM);
      std::string log = Slurp(a.log);
      for (const std::string s : {kServiceCode, kApiKey}) EXPECT_EQ(log.find(s), std::string::npos) << a.log;
      if (HasFailure()) std::cerr << a.log << " (last 3000 bytes):\n" << log.substr(log.size() > 3000 ? log.size() - 3000 : 0) << "\n";
    }
    emulator_.reset();
    ::unsetenv("TOKENWARDEN_MASTER_KEY");
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  testing::HttpReply Emu(const std::string& method, const std::string& target, const std::string& body = "") {
    return testing::HttpCall(emu_port_, method, target, {{"content-type", "application/json"}}, body);
  }
  testing::HttpReply Call(int i, const std::string& method, const std::string& target) {
    return testing::HttpCall(agents_[i].port, method, target, {{"Tokenwarden-Request", "1"}});
  }
  nlohmann::json Stats() { return Emu("GET", "/_emulator/stats").json(); }
  int Authorizations(const std::string& account) {
    return account == "shop" ? Stats()["alliance"][kServiceCode].value("authorizations", -1)
                             : Stats()["novapost"][kApiKey].value("authorizations", -1);
  }
  // The generation agent i serves for `account`, or -1.
  int Generation(int i, const std::string& account) {
    auto r = Call(i, "GET", "/v1/token/" + account);
    return r.status == 200 ? r.json().value("generation", -1) : -1;
  }
  // The session (generation and token) agent i serves for `account`.
  std::pair<int, std::string> Served(int i, const std::string& account) {
    auto r = Call(i, "GET", "/v1/token/" + account);
    if (r.status != 200) return {-1, ""};
    auto j = r.json();
    return {j.value("generation", -1), j["headers"].value(account == "shop" ? "x-refresh_token" : "Authorization", "")};
  }
  // True when every running agent serves the very same session of `account`
  // (not only the same generation number: agents that authorized on their
  // own while Redis was down may share a number).
  bool Agree(const std::string& account, int* generation = nullptr) {
    std::set<std::pair<int, std::string>> seen;
    for (size_t i = 0; i < agents_.size(); ++i) {
      if (agents_[i].process && agents_[i].process->running()) seen.insert(Served(static_cast<int>(i), account));
    }
    if (generation && seen.size() == 1) *generation = seen.begin()->first;
    return seen.size() == 1 && seen.begin()->first > 0;
  }
  std::vector<int> Ports() const {
    std::vector<int> out;
    for (const auto& a : agents_) out.push_back(a.port);
    return out;
  }
  // Real seconds for `simulated` seconds of the shared clock.
  std::chrono::milliseconds Real(double simulated) const {
    return std::chrono::milliseconds(static_cast<long long>(simulated * 1000 / scale_));
  }

  testing::RedisServer redis_;
  std::string dir_;
  long long origin_ = 0;
  double scale_ = 1;
  int emu_port_ = 0;
  std::unique_ptr<testing::ChildProcess> emulator_;
  std::vector<AgentProc> agents_;
  std::unique_ptr<ClientLoad> load_ = std::make_unique<ClientLoad>();
};

TEST_F(FleetTest, EightAgentsKeepOneSessionPerAccountForSeventyTwoHours) {
  // Nova Post keeps at most 2 tokens per key alive (the agents' default
  // max_active_sessions is 2): one more and the oldest stops working.
  StartFleet(8, 1200, {{"novapost_session_limit", 2}});
  load_->Start(Ports());
  std::this_thread::sleep_for(Real(72 * 3600));
  load_->Stop();
  EXPECT_GT(load_->requests(), 1000);
  auto failures = load_->failures();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();

  // Every authorization made one generation that every agent took up. The
  // clock runs on, so compare a snapshot in which no authorization landed
  // while the agents were asked (a duplicate authorization would leave the
  // count above the generation for good).
  int shop = 0, delivery = 0, shop_auths = -1, delivery_auths = -1;
  bool consistent = WaitFor([&] {
    int s0 = Authorizations("shop"), d0 = Authorizations("delivery");
    if (!Agree("shop", &shop) || !Agree("delivery", &delivery)) return false;
    shop_auths = Authorizations("shop");
    delivery_auths = Authorizations("delivery");
    return s0 == shop_auths && d0 == delivery_auths && shop_auths == shop && delivery_auths == delivery;
  }, std::chrono::seconds(20));
  EXPECT_TRUE(consistent) << "authorizations shop " << shop_auths << " (generation " << shop << "), delivery "
                          << delivery_auths << " (generation " << delivery << ")";
  std::cerr << "72 simulated hours, 8 agents: " << load_->requests() << " proxied requests, "
            << failures.size() << " failed; authorizations: shop " << shop << ", delivery " << delivery << "\n";
  // Alliance: the first and one per 12 h; Nova Post: the first and one per
  // 54 min (exp - max(5 min, 10 %)). Each may come up to a third of its
  // period early while the account moves to its phase: one more at most.
  EXPECT_GE(shop, 6);
  EXPECT_LE(shop, 8);
  EXPECT_GE(delivery, 72 * 60 / 54 - 2);
  EXPECT_LE(delivery, 72 * 60 / 54 + 2);
  auto stats = Stats();
  EXPECT_EQ(stats["novapost"][kApiKey].value("rejected", -1), 0) << "a token was used past the session limit";
  EXPECT_TRUE(stats["alliance"][kServiceCode]["rejected"].empty()) << stats.dump();
}

TEST_F(FleetTest, ABurstOfInvalidationsAcrossTheFleetAuthorizesOnce) {
  StartFleet(8, 1);
  int before = Authorizations("shop");
  int generation = Served(0, "shop").first;
  ASSERT_GT(generation, 0);
  std::vector<std::future<testing::HttpReply>> calls;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 8; ++i) {
      calls.push_back(std::async(std::launch::async, [this, i, generation] {
        return Call(i, "POST", "/v1/token/shop/invalidate?generation=" + std::to_string(generation));
      }));
    }
  }
  for (auto& c : calls) {
    auto r = c.get();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().value("generation", 0), generation + 1) << r.body;
  }
  EXPECT_EQ(Authorizations("shop"), before + 1);
}

// The store's change notification names one account: the agent that did
// not authorize takes up the new session at once (not at its own refresh,
// hours away on a real-time clock), and only for that account.
TEST_F(FleetTest, AnotherAgentsNewSessionIsTakenUpFromTheNotification) {
  StartFleet(2, 1);
  int shop = Served(0, "shop").first;
  int delivery = Served(0, "delivery").first;
  ASSERT_GT(shop, 0);
  ASSERT_GT(delivery, 0);
  int before = Authorizations("shop");
  auto r = Call(1, "POST", "/v1/token/shop/invalidate?generation=" + std::to_string(shop));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json().value("generation", 0), shop + 1) << r.body;
  EXPECT_TRUE(WaitFor([&] { return Served(0, "shop") == Served(1, "shop"); }, std::chrono::seconds(3)))
      << "agent 0 serves generation " << Generation(0, "shop");
  EXPECT_EQ(Authorizations("shop"), before + 1);
  EXPECT_EQ(Generation(0, "delivery"), delivery);
  EXPECT_EQ(Generation(1, "delivery"), delivery);
}

TEST_F(FleetTest, WhenTheLeaseHolderDiesMidRefreshAnotherAgentRefreshesInTime) {
  // Nova Post tokens of 10 simulated minutes on a 10x clock: the refresh is
  // due 5 minutes in (30 s real), the token dies 30 s real later; leases
  // outlive a dead holder by 3 s.
  StartFleet(4, 10, {{"novapost_lifetime_seconds", 600}});
  load_->Start(Ports());
  int generation = Served(0, "delivery").first;
  ASSERT_EQ(generation, 1);
  // The refresh's authorization call hangs; whoever makes it is killed.
  ASSERT_EQ(Emu("POST", "/_emulator/faults",
                R"({"kind":"delay","delay_ms":20000,"path_prefix":"/v.1.0/clients/","count":1})").status, 201);
  int holder = -1;
  ASSERT_TRUE(WaitFor([&] {
    for (size_t i = 0; i < agents_.size(); ++i) {
      if (Slurp(agents_[i].log).find("\"reason\":\"scheduled\"") != std::string::npos) holder = static_cast<int>(i);
    }
    return holder >= 0;
  }, std::chrono::seconds(60)));
  load_->Remove(agents_[holder].port);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  agents_[holder].process->Stop(SIGKILL);

  // Another agent takes over once the lease lapses, before the token dies.
  int now_generation = 0;
  ASSERT_TRUE(WaitFor([&] { return Agree("delivery", &now_generation) && now_generation > generation; },
                      std::chrono::seconds(25)));
  std::this_thread::sleep_for(Real(300));  // past the old token's expiry
  load_->Stop();
  auto failures = load_->failures();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_TRUE(Agree("delivery"));
}

TEST_F(FleetTest, WithRedisDownAgentsServeThenAuthorizeAtMostOnceEachAndConvergeAfter) {
  // Nova Post tokens of 10 simulated minutes on a 10x clock (see above); the
  // emulator's session limit is lifted: with Redis down each agent may
  // authorize once on its own (documented in docs/FLEET.md).
  const int kAgents = 4;
  StartFleet(kAgents, 10, {{"novapost_lifetime_seconds", 600}, {"novapost_session_limit", 100}});
  load_->Start(Ports());
  int before = Authorizations("delivery");
  ASSERT_EQ(before, 1);
  redis_.Stop();
  // Down across the scheduled refresh (30 s) and the token's expiry (60 s).
  std::this_thread::sleep_for(std::chrono::seconds(65));
  int during = Authorizations("delivery") - before;
  EXPECT_GE(during, 1) << "someone had to renew the token";
  EXPECT_LE(during, kAgents) << "at most one authorization per agent per token lifetime";
  std::cerr << "authorizations with Redis down: " << during << " (" << kAgents << " agents)\n";
  auto failures = load_->failures();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed with Redis down, first: " << failures.front();

  ASSERT_TRUE(redis_.Start());
  // The next refresh (5 simulated minutes after the last token, 30 s real)
  // goes through the lease again, and every agent adopts its session.
  int generation = 0;
  ASSERT_TRUE(WaitFor([&] { return Agree("delivery", &generation); }, std::chrono::seconds(60)));
  int after = Authorizations("delivery");
  load_->Stop();
  failures = load_->failures();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_LE(after - before - during, 2) << "converged with one shared authorization";
  std::cerr << "authorizations after Redis returned, until all agents served one session: "
            << after - before - during << "\n";
  EXPECT_TRUE(Agree("shop"));
}

// A storm of concurrent proxied calls spread over eight agents as the bank's
// session expires: each agent sees rejections of one generation, the fleet
// authorizes exactly once, and every call succeeds (TW_STORM_REQUESTS sets
// the size; `make bench` runs 10,000).
TEST_F(FleetTest, ARefreshStormThroughEightAgentsAuthorizesOnce) {
  const char* size = std::getenv("TW_STORM_REQUESTS");
  const int n = size ? std::atoi(size) : 800;
  testing::RaiseOpenFilesLimit();
  StartFleet(8, 1);
  int before = Authorizations("shop");
  int generation = Served(0, "shop").first;
  ASSERT_EQ(Emu("POST", "/_emulator/alliance/sessions/expire", nlohmann::json{{"serviceCode", kServiceCode}}.dump()).status, 200);
  auto storm = testing::Storm(Ports(), n, "POST", "/proxy/shop/ecom/execute_request/hpp/v1/create-order",
                              testing::ExampleOrderBody("storm", 100), std::chrono::seconds(180));
  int ok = static_cast<int>(std::count(storm.status.begin(), storm.status.end(), 200));
  int authorizations = Authorizations("shop") - before;
  std::cout << "FIGURE fleet_storm.agents = 8\nFIGURE fleet_storm.requests = " << n
            << "\nFIGURE fleet_storm.succeeded = " << ok << "\nFIGURE fleet_storm.failed = " << n - ok
            << "\nFIGURE fleet_storm.retried_after_rejection = " << storm.retried
            << "\nFIGURE fleet_storm.authorizations = " << authorizations
            << "\nFIGURE fleet_storm.seconds = " << storm.seconds << std::endl;
  EXPECT_EQ(authorizations, 1);
  EXPECT_EQ(ok, n);
  EXPECT_GT(storm.retried, 0) << "the storm never met the expired session";
  int agreed = 0;
  EXPECT_TRUE(WaitFor([&] { return Agree("shop", &agreed) && agreed == generation + 1; }));
}

}  // namespace
}  // namespace tokenwarden::agent
