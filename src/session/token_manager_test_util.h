// Test fixture: TokenManagers on a real io_context thread, talking to the
// emulator over loopback HTTP, sharing the emulator's manual clock, with a
// real file store in a temporary directory.
#ifndef TOKENWARDEN_SESSION_TOKEN_MANAGER_TEST_UTIL_H_
#define TOKENWARDEN_SESSION_TOKEN_MANAGER_TEST_UTIL_H_

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "emulator/emulator_test_util.h"
#include "http/client/http_client.h"
#include "providers/alliance_provider.h"
#include "providers/novapost_provider.h"
#include "testing/subprocess.h"
#include "tokenwarden/token_manager.h"

namespace tokenwarden::session {

template <class T>
boost::asio::awaitable<std::optional<T>> Optionally(boost::asio::awaitable<T> work) {
  co_return co_await std::move(work);
}

class TokenManagerFixture : public emulator::EmulatorFixture {
 protected:
  void SetUp() override {
    EmulatorFixture::SetUp();
    client_ = *http::MakeHttpClient();
    io_thread_ = std::thread([this] { ioc_.run(); });
    state_dir_ = tokenwarden::testing::MakeTempDir("tw-session");
  }
  void TearDown() override {
    // Run down in order: the managers' coroutines finish, idle connections
    // close, the io thread returns; only then may the managers (which own
    // timers on this io_context) and the io_context go.
    for (auto& m : managers_) m->Stop();
    work_.reset();
    for (int i = 0; i < 500 && !ioc_.stopped(); ++i) {
      boost::asio::post(ioc_, [this] { client_->CloseIdle(); });
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(ioc_.stopped()) << "the io_context still had work 5 s after every manager stopped";
    io_thread_.join();
    managers_.clear();
    EmulatorFixture::TearDown();
    std::filesystem::remove_all(state_dir_);
  }

  std::string Base() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::shared_ptr<SessionStore> Store() {
    if (!store_) {
      FileStoreOptions o;
      o.state_dir = state_dir_;
      auto s = MakeFileStore(o);
      EXPECT_TRUE(s.ok()) << s.error().message;
      store_ = std::move(*s);
    }
    return store_;
  }

  TokenManagerOptions Options(std::shared_ptr<Provider> provider, const std::string& account) {
    TokenManagerOptions o;
    o.account = account;
    o.provider = std::move(provider);
    o.clock = emulator_clock_;
    o.store = Store();
    o.seed = 42;
    return o;
  }

  std::shared_ptr<TokenManager> Start(TokenManagerOptions o) {
    auto m = TokenManager::Create(std::move(o), ioc_.get_executor());
    EXPECT_TRUE(m.ok()) << m.error().message;
    (*m)->Start();
    managers_.push_back(*m);
    return *m;
  }

  std::shared_ptr<Provider> AllianceProvider() {
    providers::AllianceConfig c;
    c.base_url = Base();
    c.service_code = Secret(kCode);
    c.private_key = merchant_key_;
    auto p = providers::MakeAllianceProvider(std::move(c), client_, emulator_clock_);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return std::shared_ptr<Provider>(std::move(*p));
  }

  std::shared_ptr<Provider> NovaPostProvider(std::vector<std::string> bases = {}) {
    providers::NovaPostConfig c;
    c.base_urls = bases.empty() ? std::vector<std::string>{Base() + "/v.1.0"} : std::move(bases);
    c.api_key = Secret("np-key-1");
    auto p = providers::MakeNovaPostProvider(std::move(c), client_, emulator_clock_);
    EXPECT_TRUE(p.ok()) << p.error().message;
    return std::shared_ptr<Provider>(std::move(*p));
  }

  // Runs a coroutine on the io thread and waits for its result.
  template <class T>
  T Await(boost::asio::awaitable<T> work) {
    auto f = boost::asio::co_spawn(ioc_, Optionally(std::move(work)), boost::asio::use_future);
    return std::move(*f.get());
  }

  Result<std::shared_ptr<const Session>> WaitForSession(TokenManager& m) {
    return Await(m.WaitForSession(std::chrono::seconds(5)));
  }

  // Moves the shared clock and lets the manager act on it: returns once it
  // is neither authorizing nor due.
  void Advance(TokenManager& m, Duration d) {
    emulator_clock_->Advance(d);
    m.Wake();
    Settle(m);
  }

  void Settle(TokenManager& m) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Settled(m.Status())) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ADD_FAILURE() << "account " << m.account() << " did not settle; state "
                  << AccountStateName(m.Status().state);
  }

  bool Settled(const AccountStatus& s) const {
    TimePoint now = emulator_clock_->Now();
    switch (s.state) {
      case AccountState::kActive:
      case AccountState::kBackoff:
      case AccountState::kUnauthorized:
        return s.next_attempt && *s.next_attempt > now;
      case AccountState::kNeedsSupport:
      case AccountState::kFailed:
        return true;
      default:
        return false;
    }
  }

  // One call to the emulated upstream with the session's headers, judged by
  // the provider.
  std::pair<tokenwarden::testing::HttpReply, Verdict> Use(TokenManager& m, const Session& s,
                                                          const std::string& method, const std::string& path,
                                                          const std::string& body = "") {
    auto headers = m.provider().RequestHeaders(s);
    headers.emplace_back("content-type", "application/json");
    auto reply = Call(method, path, headers, body);
    Verdict v = m.provider().Classify({reply.status, reply.headers, reply.body});
    return {reply, v};
  }
  std::pair<tokenwarden::testing::HttpReply, Verdict> CreateOrder(TokenManager& m, const Session& s) {
    return Use(m, s, "POST", "/ecom/execute_request/hpp/v1/create-order",
               tokenwarden::testing::ExampleOrderBody("m-1", 100));
  }

  // `fault` on the next request under `prefix`.
  void FaultOnce(nlohmann::json fault, const std::string& prefix) {
    fault["path_prefix"] = prefix;
    fault["count"] = 1;
    Fault(fault);
  }

  long long AllianceAuthorizations() { return Stats()["alliance"][kCode].value("authorizations", -1LL); }
  long long NovaPostAuthorizations() { return Stats()["novapost"]["np-key-1"].value("authorizations", -1LL); }

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(ioc_);
  std::thread io_thread_;
  std::shared_ptr<http::HttpClient> client_;
  std::string state_dir_;
  std::shared_ptr<SessionStore> store_;
  std::vector<std::shared_ptr<TokenManager>> managers_;
};

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_TOKEN_MANAGER_TEST_UTIL_H_
