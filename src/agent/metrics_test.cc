#include "agent/metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tokenwarden::agent {
namespace {

TEST(Metrics, CountersRenderInTextFormatWithEscapedLabels) {
  MetricsRegistry m;
  m.GetCounter("tokenwarden_token_reads_total", "Token reads.", {{"account", "shop"}}).Increment(3);
  m.GetCounter("tokenwarden_token_reads_total", "Token reads.", {{"account", "a\"b\\c"}}).Increment();
  std::string text = m.Render();
  EXPECT_NE(text.find("# HELP tokenwarden_token_reads_total Token reads.\n"
                      "# TYPE tokenwarden_token_reads_total counter\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tokenwarden_token_reads_total{account=\"shop\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("tokenwarden_token_reads_total{account=\"a\\\"b\\\\c\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(Metrics, SameSeriesIsOneCounterAcrossThreads) {
  MetricsRegistry m;
  Counter& c = m.GetCounter("tokenwarden_x_total", "x", {{"k", "v"}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) m.GetCounter("tokenwarden_x_total", "x", {{"k", "v"}}).Increment();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
}

TEST(Metrics, CounterCacheAsksTheRegistryOncePerKeyAcrossThreads) {
  MetricsRegistry m;
  CounterCache cache;
  std::atomic<int> made{0};
  auto make = [&](int status) {
    return [&, status]() -> Counter& {
      made.fetch_add(1);
      return m.GetCounter("tokenwarden_proxy_requests_total", "x", {{"account", "a"}, {"status", std::to_string(status)}});
    };
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) cache.Get(i % 2 ? 200 : 502, make(i % 2 ? 200 : 502)).Increment();
    });
  }
  for (auto& t : threads) t.join();
  // Each thread may race to make a key once; after that the cache answers.
  EXPECT_GE(made.load(), 2);
  EXPECT_LE(made.load(), 8);
  std::string text = m.Render();
  EXPECT_NE(text.find("tokenwarden_proxy_requests_total{account=\"a\",status=\"200\"} 20000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tokenwarden_proxy_requests_total{account=\"a\",status=\"502\"} 20000\n"), std::string::npos) << text;
}

// Keys added while other threads read: every reader finds each key's one
// counter (the list it scans is replaced, never changed or freed under it).
TEST(Metrics, CounterCacheKeysAddedWhileOthersReadKeepOneCounterEach) {
  MetricsRegistry m;
  CounterCache cache;
  constexpr int kKeys = 12;
  auto counter = [&](int status) -> Counter& {
    return m.GetCounter("tokenwarden_proxy_requests_total", "x", {{"account", "a"}, {"status", std::to_string(status)}});
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 12000; ++i) {
        int status = 200 + (i + t) % kKeys;
        cache.Get(status, [&]() -> Counter& { return counter(status); }).Increment();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int k = 0; k < kKeys; ++k) {
    EXPECT_EQ(counter(200 + k).value(), 4000u) << 200 + k;
    EXPECT_EQ(&cache.Get(200 + k, [&]() -> Counter& { return counter(999); }), &counter(200 + k));
  }
}

TEST(Metrics, GaugesAreReadAtRenderTime) {
  MetricsRegistry m;
  double seconds = 10;
  m.AddGauge("tokenwarden_seconds_to_expiry", "Seconds to expiry.", [&] {
    return std::vector<GaugeSample>{{{{"account", "shop"}}, seconds}};
  });
  EXPECT_NE(m.Render().find("tokenwarden_seconds_to_expiry{account=\"shop\"} 10\n"), std::string::npos);
  seconds = 2.5;
  EXPECT_NE(m.Render().find("tokenwarden_seconds_to_expiry{account=\"shop\"} 2.5\n"), std::string::npos);
}

}  // namespace
}  // namespace tokenwarden::agent
