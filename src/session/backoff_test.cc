#include "session/backoff.h"

#include <gtest/gtest.h>

namespace tokenwarden::session {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(Backoff, StaysWithinTheDoublingCeilingAndReachesItsUpperHalf) {
  JitterRng rng(7);
  for (int failures = 1; failures <= 12; ++failures) {
    Duration ceiling = std::min<Duration>(seconds(1) * (1LL << (failures - 1)), minutes(5));
    Duration highest{};
    for (int i = 0; i < 2000; ++i) {
      Duration d = BackoffDelay(failures, seconds(1), minutes(5), {}, rng);
      ASSERT_GE(d, Duration::zero());
      ASSERT_LE(d, ceiling) << failures;
      highest = std::max(highest, d);
    }
    // Full jitter: the whole range is used, not only its bottom.
    EXPECT_GT(highest, ceiling / 2) << failures;
  }
}

TEST(Backoff, NeverSoonerThanRetryAfterButCapsAbsurdValues) {
  JitterRng rng(7);
  for (int i = 0; i < 100; ++i) {
    EXPECT_GE(BackoffDelay(1, seconds(1), minutes(5), seconds(30), rng), seconds(30));
    EXPECT_EQ(BackoffDelay(1, seconds(1), minutes(5), minutes(20), rng), minutes(20));
    EXPECT_EQ(BackoffDelay(1, seconds(1), minutes(5), std::chrono::hours(48), rng), kMaxRetryAfter);
  }
}

TEST(Backoff, ManyFailuresDoNotOverflow) {
  JitterRng rng(7);
  EXPECT_LE(BackoffDelay(1000000, milliseconds(1), minutes(5), {}, rng), minutes(5));
}

}  // namespace
}  // namespace tokenwarden::session
