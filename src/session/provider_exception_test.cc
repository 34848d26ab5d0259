// provider.h's contract for an exception escaping Provider::Authorize: a
// failed, transient attempt (code "internal"), then a retry after backoff;
// never a stopped scheduler.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "testing/wait_for.h"
#include "tokenwarden/token_manager.h"

namespace tokenwarden {
namespace {

namespace asio = boost::asio;
using SessionPtr = std::shared_ptr<const Session>;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class ThrowingProvider : public Provider {
 public:
  explicit ThrowingProvider(std::function<void()> fail) : fail_(std::move(fail)) {}

  std::string_view name() const override { return "throwing"; }
  asio::awaitable<AuthorizeResult> Authorize() override {
    ++calls_;
    fail_();
    co_return AuthorizeResult{};
  }
  TimePoint PlanRefresh(const Session& session) const override { return session.expires_at; }
  Verdict Classify(const UpstreamResponse&) const override { return {}; }
  void AppendRequestHeaders(const Session&, std::vector<std::pair<std::string, std::string>>&) const override {}

  int calls() const { return calls_; }

 private:
  std::function<void()> fail_;
  std::atomic<int> calls_{0};
};

// An io_context run on a thread of its own until nothing is left to do.
struct IoThread {
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  std::thread thread{[this] { ioc.run(); }};
  ~IoThread() {
    work.reset();
    thread.join();
  }
};

void ExpectAFailedAttemptThenARetry(std::function<void()> fail, const std::string& message) {
  auto clock = std::make_shared<ManualClock>(FromUnixSeconds(1'700'000'000));
  auto provider = std::make_shared<ThrowingProvider>(std::move(fail));
  IoThread io;
  asio::io_context& ioc = io.ioc;

  TokenManagerOptions o;
  o.account = "shop";
  o.provider = provider;
  o.clock = clock;
  o.seed = 42;
  auto m = TokenManager::Create(std::move(o), ioc.get_executor());
  ASSERT_TRUE(m.ok()) << m.error().message;
  (*m)->Start();

  ASSERT_TRUE(testing::WaitFor([&] { return (*m)->Status().authorizations_failed >= 1; }, seconds(10)));
  // A reader is told the attempt failed. Through std::optional: co_spawn's
  // future wants a default-constructible T.
  auto wait = [](std::shared_ptr<TokenManager> manager) -> asio::awaitable<std::optional<Result<SessionPtr>>> {
    co_return co_await manager->WaitForSession(milliseconds(100));
  };
  Result<SessionPtr> waited = *asio::co_spawn(ioc, wait(*m), asio::use_future).get();
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.error().code, ErrorCode::kUnavailable) << waited.error().message;
  AccountStatus st = (*m)->Status();
  EXPECT_EQ(st.state, AccountState::kBackoff);
  EXPECT_EQ(st.last_error_code, "internal");
  EXPECT_EQ(st.last_error_message, message);

  // The scheduler still runs: past the backoff it tries again.
  int before = provider->calls();
  clock->Advance(minutes(10));
  (*m)->Wake();
  EXPECT_TRUE(testing::WaitFor([&] { return provider->calls() > before; }, seconds(10)));

  (*m)->Stop();
}

TEST(TokenManager, AStdExceptionFromAuthorizeIsATransientFailure) {
  ExpectAFailedAttemptThenARetry([] { throw std::runtime_error("provider bug"); }, "provider bug");
}

TEST(TokenManager, ANonStandardExceptionFromAuthorizeIsATransientFailureToo) {
  ExpectAFailedAttemptThenARetry([] { throw 42; }, "the provider threw a non-standard exception");
}

}  // namespace
}  // namespace tokenwarden
