#include "agent/metrics.h"

#include <gtest/gtest.h>

#include <thread>

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
