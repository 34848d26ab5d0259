#include "tokenwarden/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <tuple>

#include "util/clock_flags.h"
#include "util/time_format.h"

namespace tokenwarden {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock clock(FromUnixSeconds(1000));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 1000);
  clock.Advance(hours(24));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 1000 + 86400);
  clock.Set(FromUnixSeconds(5));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 5);
  EXPECT_EQ(clock.RealDuration(hours(1)), Duration::zero());
}

TEST(ScaledClock, TwoClocksWithTheSameOriginAgree) {
  TimePoint origin = std::chrono::system_clock::now();
  auto a = MakeScaledClock(origin, 3600);
  auto b = MakeScaledClock(origin, 3600);
  TimePoint ta = a->Now();
  TimePoint tb = b->Now();
  // Read back to back: they differ by the real time between the reads, scaled.
  EXPECT_LT(std::chrono::abs(tb - ta), seconds(60));
  EXPECT_EQ(a->RealDuration(hours(1)), seconds(1));
}

TEST(ScaledClock, RunsFasterThanRealTime) {
  TimePoint origin = std::chrono::system_clock::now();
  auto clock = MakeScaledClock(origin, 1000);
  std::this_thread::sleep_for(milliseconds(20));
  // At least 20 ms real = 20 s simulated have passed.
  EXPECT_GE(clock->Now() - origin, seconds(20));
}

// Past these a scaled clock's first reading, or its first day, would run
// off the end of a TimePoint (2262): undefined behaviour, not an error.
TEST(ClockFromFlags, RefusesAScaleOrOriginTheClockCannotHoldNamingTheFlag) {
  ASSERT_TRUE(ClockFromFlags(kLargestTimeScale, kLatestUnixSeconds).ok());
  ASSERT_TRUE(ClockFromFlags(3600, 1740000000).ok());
  for (auto [scale, origin, flag] : {std::tuple<double, long long, const char*>{1e300, 0, "--time-scale"},
                                     {10000.5, 1740000000, "--time-scale"},
                                     {0, 1740000000, "--time-scale"},
                                     {-1, 1740000000, "--time-scale"},
                                     {2, 99999999999999, "--time-origin"},
                                     {2, kLatestUnixSeconds + 1, "--time-origin"},
                                     {2, -5, "--time-origin"}}) {
    auto clock = ClockFromFlags(scale, origin);
    ASSERT_FALSE(clock.ok()) << scale << " " << origin;
    EXPECT_NE(clock.error().message.find(flag), std::string::npos) << clock.error().message;
  }
}

TEST(OffsetClock, AdvanceAddsToBase) {
  auto base = std::make_shared<ManualClock>(FromUnixSeconds(100));
  OffsetClock clock(base);
  clock.Advance(seconds(50));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 150);
  base->Advance(seconds(10));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 160);
  EXPECT_EQ(clock.offset(), seconds(50));
}

}  // namespace
}  // namespace tokenwarden
