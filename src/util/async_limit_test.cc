// AsyncLimit: never more holders than places, every waiter served, on
// strands across several threads as the agent uses it.
#include "util/async_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <thread>
#include <vector>

namespace tokenwarden {
namespace {

namespace asio = boost::asio;

struct Counters {
  std::atomic<int> holding{0};
  std::atomic<int> most{0};
  std::atomic<int> done{0};
};

asio::awaitable<void> Hold(AsyncLimit& limit, Counters& c) {
  co_await limit.Acquire();
  AsyncLimit::Place place(&limit);
  int now = c.holding.fetch_add(1) + 1;
  int seen = c.most.load();
  while (now > seen && !c.most.compare_exchange_weak(seen, now)) {
  }
  asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(5));
  co_await pause.async_wait(asio::use_awaitable);
  c.holding.fetch_sub(1);
  c.done.fetch_add(1);
}

TEST(AsyncLimit, AtMostThatManyHoldAtOnceAndEveryWaiterIsServed) {
  asio::io_context ioc;
  AsyncLimit limit(3);
  Counters c;
  for (int i = 0; i < 40; ++i) asio::co_spawn(asio::make_strand(ioc), Hold(limit, c), asio::detached);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { ioc.run(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.done.load(), 40);
  EXPECT_EQ(c.most.load(), 3);
  EXPECT_EQ(c.holding.load(), 0);
}

TEST(AsyncLimit, APlaceGivenBackBeforeTheWaiterWaitsStillWakesIt) {
  // One place, taken; a second coroutine queues; the place comes back at
  // once. The waiter must not sleep forever whichever runs first.
  asio::io_context ioc;
  AsyncLimit limit(1);
  Counters c;
  asio::co_spawn(ioc, Hold(limit, c), asio::detached);
  asio::co_spawn(ioc, Hold(limit, c), asio::detached);
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_EQ(c.done.load(), 2);
  EXPECT_EQ(c.most.load(), 1);
}

// The handler form, as the scheduler uses it: a waiter is a queued handler,
// and places pass from holder to waiter in order.
TEST(AsyncLimit, HandlersRunHoldingAPlaceAndInLine) {
  asio::io_context ioc;
  AsyncLimit limit(2);
  std::vector<int> order;
  int holding = 0, most = 0;
  std::vector<std::unique_ptr<AsyncLimit::Place>> held;
  for (int i = 0; i < 6; ++i) {
    limit.AcquireThen(ioc.get_executor(), [&, i] {
      order.push_back(i);
      most = std::max(most, ++holding);
      held.push_back(std::make_unique<AsyncLimit::Place>(&limit));
    });
  }
  ioc.run();
  ioc.restart();
  EXPECT_EQ(order, (std::vector<int>{0, 1})) << "only two places";
  while (!held.empty()) {
    --holding;
    held.erase(held.begin());  // gives one place back: the next in line runs
    ioc.run();
    ioc.restart();
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(most, 2);
  // Every place is back: the next acquirer runs at once.
  bool ran = false;
  limit.AcquireThen(ioc.get_executor(), [&] { ran = true; limit.Release(); });
  ioc.run();
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace tokenwarden
