#include "session/session_cell.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace tokenwarden::session {
namespace {

std::shared_ptr<const Session> Make(uint64_t generation) {
  auto s = std::make_shared<Session>();
  s->generation = generation;
  return s;
}

TEST(SessionCell, ReadsWhatWasLastPublished) {
  SessionCell cell;
  EXPECT_EQ(cell.Get(), nullptr);
  cell.Set(Make(1));
  EXPECT_EQ(cell.Get()->generation, 1u);
  cell.Set(Make(2));
  EXPECT_EQ(cell.Get()->generation, 2u);
  cell.Set(nullptr);
  EXPECT_EQ(cell.Get(), nullptr);
}

TEST(SessionCell, ValidAtComparesThePublishedExpiry) {
  SessionCell cell;
  TimePoint t = FromUnixSeconds(1767225600);
  EXPECT_FALSE(cell.ValidAt(t));
  auto s = std::make_shared<Session>();
  s->expires_at = t + std::chrono::hours(1);
  cell.Set(s);
  EXPECT_TRUE(cell.ValidAt(t));
  EXPECT_TRUE(cell.ValidAt(t + std::chrono::minutes(59)));
  EXPECT_FALSE(cell.ValidAt(t + std::chrono::hours(1)));  // expired at its instant, as current() says
  cell.Set(nullptr);
  EXPECT_FALSE(cell.ValidAt(t));
}

TEST(SessionCell, CellsDoNotShareAThreadsCache) {
  std::vector<std::unique_ptr<SessionCell>> cells;
  for (int i = 0; i < 200; ++i) {
    cells.push_back(std::make_unique<SessionCell>());
    cells.back()->Set(Make(i));
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 200; ++i) ASSERT_EQ(cells[i]->Get()->generation, static_cast<uint64_t>(i));
  }
}

TEST(SessionCell, AReturnedSessionOutlivesItsReplacement) {
  SessionCell cell;
  cell.Set(Make(1));
  auto held = cell.Get();
  cell.Set(Make(2));
  EXPECT_EQ(cell.Get()->generation, 2u);
  EXPECT_EQ(held->generation, 1u);
}

// Readers on several threads while a writer publishes: every read sees a
// whole session, generations never go backwards on one thread, and each
// reader sees the last one.
TEST(SessionCell, ConcurrentReadersSeeMonotonicGenerations) {
  SessionCell cell;
  cell.Set(Make(0));
  std::atomic<bool> stop{false};
  std::atomic<int> violations{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      uint64_t last = 0;
      while (!stop.load()) {
        auto s = cell.Get();
        if (!s || s->generation < last) ++violations;
        if (s) last = s->generation;
      }
      if (cell.Get()->generation != 5000) ++violations;
    });
  }
  for (uint64_t g = 1; g <= 5000; ++g) cell.Set(Make(g));
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(violations.load(), 0);
}

}  // namespace
}  // namespace tokenwarden::session
