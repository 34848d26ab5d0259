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
  // A long input is quoted cut to 64 bytes, between characters: "1" and
  // then "г" (two bytes each) would be cut inside the 32nd letter.
  std::string hours = "1";
  for (int i = 0; i < 40; ++i) hours += "\xD0\xB3";
  auto d = ParseDuration(hours);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("\"" + hours.substr(0, 63) + "\": "), std::string::npos) << d.error().message;
}

// Found by fuzz/config_fuzz.cc once UBSan stopped it: "1310810680m"
// overflowed the conversion to nanoseconds instead of being refused.
TEST(Duration, RefusesMoreThanAHundredYearsWithoutOverflow) {
  EXPECT_EQ(*ParseDuration("36500d"), std::chrono::hours(24 * 36500));
  EXPECT_EQ(*ParseDuration("36499d23h59m59s999ms"), std::chrono::hours(24 * 36500) - 1ms);
  for (const char* bad : {"1310810680m", "36500d1ms", "36501d", "1000000000d", "10000000000h",
                          "20000d20000d", "876000h1s", "3153600000001ms"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.error().message.find("too large (at most 36500d)"), std::string::npos) << d.error().message;
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
