#include "util/duration.h"

#include <gtest/gtest.h>

namespace tokenwarden {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesUnitsAndSums) {
  EXPECT_EQ(*ParseDuration("12h"), 12h);
  EXPECT_EQ(*ParseDuration("30m"), 30min);
  EXPECT_EQ(*ParseDuration("1h30m"), 90min);
  EXPECT_EQ(*ParseDuration("90s"), 90s);
  EXPECT_EQ(*ParseDuration("500ms"), 500ms);
  EXPECT_EQ(*ParseDuration("1d2h"), 26h);
}

TEST(Duration, RejectsWithTheInputNamed) {
  for (const char* bad : {"", "12", "h", "12x", "-5m", "1.5h", "12 h", "99999999999h"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.error().message.find(std::string("\"") + bad + "\""), std::string::npos)
        << d.error().message;
  }
}

TEST(Duration, FormatsShortestAndRoundTrips) {
  EXPECT_EQ(FormatDuration(12h), "12h");
  EXPECT_EQ(FormatDuration(90min), "1h30m");
  EXPECT_EQ(FormatDuration(250ms), "250ms");
  EXPECT_EQ(FormatDuration(0s), "0s");
  EXPECT_EQ(FormatDuration(49h), "2d1h");
  for (Duration d : {Duration(12h), Duration(1h + 1s), Duration(3ms)}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(d)), d);
  }
}

}  // namespace
}  // namespace tokenwarden
