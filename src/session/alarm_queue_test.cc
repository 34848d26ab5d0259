#include "session/alarm_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace tokenwarden::session {
namespace {

using Clock = AlarmQueue::Clock;
using std::chrono::milliseconds;

// Records when it rang, in the order alarms rang.
class Recorder {
 public:
  void Rang(int id, Clock::time_point due) {
    std::lock_guard lock(mu_);
    order_.push_back(id);
    late_ok_ = late_ok_ && Clock::now() >= due;
  }
  std::vector<int> order() {
    std::lock_guard lock(mu_);
    return order_;
  }
  bool none_early() {
    std::lock_guard lock(mu_);
    return late_ok_;
  }

 private:
  std::mutex mu_;
  std::vector<int> order_;
  bool late_ok_ = true;
};

class TestAlarm : public AlarmQueue::Alarm {
 public:
  TestAlarm(int id, Recorder& recorder) : id_(id), recorder_(&recorder) {}
  void Ring() override { recorder_->Rang(id_, due); }
  Clock::time_point due;

 private:
  int id_;
  Recorder* recorder_;
};

TEST(AlarmQueueTest, AlarmsRingOnceEachInTheOrderTheyAreDueAndNotBefore) {
  boost::asio::io_context ioc;
  auto queue = AlarmQueue::Make(ioc.get_executor());
  Recorder rec;
  std::vector<std::unique_ptr<TestAlarm>> alarms;
  Clock::time_point start = Clock::now();
  for (int id : {0, 1, 2}) alarms.push_back(std::make_unique<TestAlarm>(id, rec));
  int after_ms[] = {60, 20, 40};
  for (int i = 0; i < 3; ++i) {
    alarms[i]->due = start + milliseconds(after_ms[i]);
    queue->Set(*alarms[i], alarms[i]->due);
  }
  EXPECT_EQ(queue->size(), 3u);
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(ioc.stopped()) << "with every alarm rung the queue must leave the io_context without work";
  EXPECT_EQ(rec.order(), (std::vector<int>{1, 2, 0}));
  EXPECT_TRUE(rec.none_early());
  EXPECT_EQ(queue->size(), 0u);
  EXPECT_FALSE(queue->Cancel(*alarms[0])) << "an alarm that rang is no longer set";
}

TEST(AlarmQueueTest, ACancelledAlarmDoesNotRingAndAnEmptyQueueHoldsNoWork) {
  boost::asio::io_context ioc;
  auto queue = AlarmQueue::Make(ioc.get_executor());
  Recorder rec;
  TestAlarm far(0, rec), near(1, rec);
  far.due = Clock::now() + std::chrono::hours(1);
  near.due = Clock::now() + milliseconds(10);
  queue->Set(far, far.due);
  queue->Set(near, near.due);
  EXPECT_TRUE(queue->Cancel(near));
  EXPECT_FALSE(queue->Cancel(near)) << "cancelled twice";
  EXPECT_TRUE(queue->Cancel(far));
  EXPECT_EQ(queue->size(), 0u);
  Clock::time_point before = Clock::now();
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(ioc.stopped());
  EXPECT_LT(Clock::now() - before, std::chrono::seconds(2)) << "the hour-long wait must have been cancelled";
  EXPECT_TRUE(rec.order().empty());
}

TEST(AlarmQueueTest, SetAgainMovesAnAlarmSoonerOrLater) {
  boost::asio::io_context ioc;
  auto queue = AlarmQueue::Make(ioc.get_executor());
  Recorder rec;
  TestAlarm a(0, rec), b(1, rec);
  Clock::time_point start = Clock::now();
  a.due = start + std::chrono::hours(1);
  b.due = start + milliseconds(10);
  queue->Set(a, a.due);
  queue->Set(b, b.due);
  a.due = start + milliseconds(20);  // sooner than it was
  queue->Set(a, a.due);
  b.due = start + milliseconds(40);  // later than it was
  queue->Set(b, b.due);
  EXPECT_EQ(queue->size(), 2u);
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(ioc.stopped());
  EXPECT_EQ(rec.order(), (std::vector<int>{0, 1}));
  EXPECT_TRUE(rec.none_early());
}

// The heap's order under many sets, moves and cancels, from threads other
// than the two running the io_context.
TEST(AlarmQueueTest, ManyAlarmsFromSeveralThreadsRingExactlyTheOnesLeftSetInOrder) {
  boost::asio::io_context ioc;
  auto queue = AlarmQueue::Make(ioc.get_executor());
  Recorder rec;
  constexpr int kPerThread = 500;
  constexpr int kThreads = 4;
  std::vector<std::unique_ptr<TestAlarm>> alarms;
  for (int i = 0; i < kPerThread * kThreads; ++i) alarms.push_back(std::make_unique<TestAlarm>(i, rec));
  std::vector<char> kept(alarms.size(), 0);
  Clock::time_point start = Clock::now() + milliseconds(300);  // after every thread is done
  std::vector<std::thread> setters;
  for (int t = 0; t < kThreads; ++t) {
    setters.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int k = 0; k < kPerThread; ++k) {
        int i = t * kPerThread + k;
        TestAlarm& a = *alarms[static_cast<size_t>(i)];
        queue->Set(a, start + milliseconds(rng() % 200));  // moved below before it can ring
        a.due = start + milliseconds(rng() % 200);
        queue->Set(a, a.due);
        kept[static_cast<size_t>(i)] = rng() % 4 != 0;
        if (!kept[static_cast<size_t>(i)]) {
          EXPECT_TRUE(queue->Cancel(a));
        }
      }
    });
  }
  for (auto& s : setters) s.join();
  size_t expected = static_cast<size_t>(std::count(kept.begin(), kept.end(), 1));
  EXPECT_EQ(queue->size(), expected);
  std::thread second([&] { ioc.run_for(std::chrono::seconds(10)); });
  ioc.run_for(std::chrono::seconds(10));
  second.join();
  EXPECT_TRUE(ioc.stopped());
  std::vector<int> order = rec.order();
  ASSERT_EQ(order.size(), expected);
  std::vector<char> rang(alarms.size(), 0);
  for (int id : order) {
    EXPECT_TRUE(kept[static_cast<size_t>(id)]) << "alarm " << id << " was cancelled but rang";
    EXPECT_FALSE(rang[static_cast<size_t>(id)]) << "alarm " << id << " rang twice";
    rang[static_cast<size_t>(id)] = 1;
  }
  // Rung in due order: the queue rings every due alarm of a wake-up in
  // heap order, under its lock.
  for (size_t i = 1; i < order.size(); ++i) {
    EXPECT_LE(alarms[static_cast<size_t>(order[i - 1])]->due, alarms[static_cast<size_t>(order[i])]->due)
        << "at position " << i;
  }
  EXPECT_TRUE(rec.none_early());
}

// A clock that jumps (here an OffsetClock advanced, as the wall clock is
// when stepped) rings every alarm at once, at the next look: the sleepers'
// steady deadlines were reckoned from the time before the jump.
TEST(AlarmQueueTest, AWatchedClockThatJumpsEitherWayRingsEveryAlarmAtOnce) {
  for (Duration jump : {Duration(std::chrono::hours(2)), Duration(-std::chrono::hours(2))}) {
    boost::asio::io_context ioc;
    auto queue = AlarmQueue::Make(ioc.get_executor());
    auto clock = std::make_shared<OffsetClock>(MakeRealClock());
    queue->Watch(clock, milliseconds(20));
    Recorder rec;
    TestAlarm a(0, rec), b(1, rec);
    Clock::time_point start = Clock::now();
    queue->Set(a, start + std::chrono::hours(1));
    queue->Set(b, start + std::chrono::hours(3));
    a.due = b.due = start + milliseconds(100);  // what none_early() holds them to: the jump
    boost::asio::steady_timer jumper(ioc, a.due);
    jumper.async_wait([&](boost::system::error_code) { clock->Advance(jump); });
    ioc.run_for(std::chrono::seconds(5));
    EXPECT_TRUE(ioc.stopped()) << "with every alarm rung the watch must leave the io_context without work";
    EXPECT_EQ(rec.order().size(), 2u) << "jump " << jump.count();
    EXPECT_TRUE(rec.none_early()) << "nothing rings before the jump";
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2)) << "the jump must be seen at the next look";
  }
}

// Clocks that only run, at their own pace, ring nothing early: a real clock,
// and a scaled one whose minutes pass in milliseconds.
TEST(AlarmQueueTest, WatchedClocksThatOnlyRunRingNothingEarly) {
  boost::asio::io_context ioc;
  auto queue = AlarmQueue::Make(ioc.get_executor());
  std::shared_ptr<const ::tokenwarden::Clock> real = MakeRealClock();
  std::shared_ptr<const ::tokenwarden::Clock> scaled = MakeScaledClock(MakeRealClock()->Now(), 60'000.0);
  queue->Watch(real, milliseconds(10));
  queue->Watch(scaled, milliseconds(10));
  Recorder rec;
  TestAlarm a(0, rec), b(1, rec);
  a.due = Clock::now() + milliseconds(300);
  b.due = Clock::now() + milliseconds(400);
  queue->Set(b, b.due);
  queue->Set(a, a.due);
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(ioc.stopped());
  EXPECT_EQ(rec.order(), (std::vector<int>{0, 1}));
  EXPECT_TRUE(rec.none_early()) << "about 30 looks at each clock saw a jump that was not there";
}

// A watch is no work of its own: with no alarm set, the io_context runs out;
// a clock gone (its sleepers gone) is dropped; a clock that cannot tell real
// time (whose sleepers poll) is not watched at all.
TEST(AlarmQueueTest, WatchesHoldNoWorkAndLetGoOfTheirClocks) {
  boost::asio::io_context ioc;
  auto queue = AlarmQueue::Make(ioc.get_executor());
  auto real = std::make_shared<OffsetClock>(MakeRealClock());
  std::weak_ptr<OffsetClock> gone;
  {
    auto temporary = std::make_shared<OffsetClock>(MakeRealClock());
    queue->Watch(temporary, milliseconds(5));
    gone = temporary;
  }
  EXPECT_TRUE(gone.expired()) << "the queue must hold a clock weakly";
  queue->Watch(real, milliseconds(5));
  queue->Watch(std::make_shared<ManualClock>(MakeRealClock()->Now()), milliseconds(5));
  Recorder rec;
  TestAlarm a(0, rec);
  queue->Set(a, Clock::now() + std::chrono::hours(1));
  ioc.run_for(milliseconds(50));  // about ten looks, none of which rings
  EXPECT_TRUE(rec.order().empty());
  EXPECT_TRUE(queue->Cancel(a));
  ioc.restart();
  Clock::time_point before = Clock::now();
  ioc.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(ioc.stopped());
  EXPECT_LT(Clock::now() - before, std::chrono::seconds(2)) << "the watch must not keep the io_context busy";
}

}  // namespace
}  // namespace tokenwarden::session
