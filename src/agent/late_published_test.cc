#include "agent/late_published.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tokenwarden::agent {
namespace {

struct Directory {
  int id = 0;
};

// What each event reached: the directory's id, per event.
class Received {
 public:
  void Add(const Directory& d, const std::string& event) {
    std::lock_guard lock(mu_);
    ++count_[event];
    last_[event] = d.id;
  }
  std::map<std::string, int> count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  std::map<std::string, int> last() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> count_;
  std::map<std::string, int> last_;
};

TEST(LatePublishedTest, EventsBeforeTheFirstPublicationReachItOnceAndLaterOnesAtOnce) {
  Received got;
  LatePublished<Directory> relay([&](const Directory& d, const std::string& e) { got.Add(d, e); });
  EXPECT_EQ(relay.Load(), nullptr);
  EXPECT_EQ(relay.LoadCached(), nullptr);
  relay.Event("a");
  relay.Event("b");
  EXPECT_TRUE(got.count().empty()) << "nothing to hand them to yet";
  relay.Publish(std::make_shared<Directory>(Directory{1}));
  EXPECT_EQ(got.count(), (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
  EXPECT_EQ(got.last(), (std::map<std::string, int>{{"a", 1}, {"b", 1}}));
  relay.Event("c");
  EXPECT_EQ(got.count()["c"], 1);
  relay.Publish(std::make_shared<Directory>(Directory{2}));  // a reload
  EXPECT_EQ(got.count(), (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}})) << "nothing replayed twice";
  relay.Event("d");
  EXPECT_EQ(got.last()["d"], 2) << "to the value published last";
  ASSERT_NE(relay.Load(), nullptr);
  EXPECT_EQ(relay.Load()->id, 2);
  EXPECT_EQ(relay.LoadCached()->id, 2);
}

// The race the relay exists for: events from several threads while the
// first value is published. Every event arrives exactly once.
TEST(LatePublishedTest, EventsRacingTheFirstPublicationAreNeitherLostNorDoubled) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  const std::thread::id publisher = std::this_thread::get_id();
  int kept = 0;    // handed over by Publish, on this thread
  int direct = 0;  // delivered by Event, on a sender's thread
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> delivered{0};
    std::atomic<int> replayed{0};
    std::vector<std::atomic<int>> seen(kThreads * kPerThread);
    LatePublished<Directory> relay([&](const Directory&, const std::string& e) {
      seen[static_cast<size_t>(std::stoi(e))].fetch_add(1);
      delivered.fetch_add(1);
      if (std::this_thread::get_id() == publisher) replayed.fetch_add(1);
    });
    std::atomic<bool> go{false};
    std::vector<std::thread> senders;
    for (int t = 0; t < kThreads; ++t) {
      senders.emplace_back([&, t] {
        while (!go.load()) {
        }
        for (int k = 0; k < kPerThread; ++k) relay.Event(std::to_string(t * kPerThread + k));
      });
    }
    go.store(true);
    // Publish while the senders are under way, a little later each round:
    // some events come before it, some during the handover, some after.
    std::this_thread::sleep_for(std::chrono::microseconds(50 * round));
    relay.Publish(std::make_shared<Directory>(Directory{1}));
    for (auto& s : senders) s.join();
    ASSERT_EQ(delivered.load(), kThreads * kPerThread) << "round " << round;
    for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i].load(), 1) << "event " << i << " round " << round;
    kept += replayed.load();
    direct += delivered.load() - replayed.load();
  }
  // Both ways were taken, so the rounds did straddle the publication.
  EXPECT_GT(kept, 0);
  EXPECT_GT(direct, 0);
}

// LoadCached() from several threads while values are replaced: each sees
// the values in publication order, never one freed, and after the last
// publication every thread sees the last value.
TEST(LatePublishedTest, LoadsOnSeveralThreadsFollowEveryPublication) {
  constexpr int kThreads = 4;
  constexpr int kValues = 2000;
  LatePublished<Directory> relay([](const Directory&, const std::string&) {});
  std::atomic<bool> done{false};
  std::atomic<int> out_of_order{0};
  std::atomic<int> last_seen_total{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < kThreads; ++t) {
    readers.emplace_back([&] {
      int last = 0;
      std::vector<std::shared_ptr<const Directory>> held;  // kept past later publications
      auto read = [&] {
        auto d = relay.LoadCached();
        if (!d) return;
        if (d->id < last) out_of_order.fetch_add(1);
        last = d->id;
        if (held.size() < 64) held.push_back(std::move(d));
      };
      while (!done.load()) read();
      read();
      last_seen_total.fetch_add(last);
      for (const auto& d : held) {
        if (d->id < 1 || d->id > kValues) out_of_order.fetch_add(1);  // freed memory would show here under ASan
      }
    });
  }
  for (int v = 1; v <= kValues; ++v) relay.Publish(std::make_shared<Directory>(Directory{v}));
  done.store(true);
  for (auto& r : readers) r.join();
  EXPECT_EQ(out_of_order.load(), 0);
  EXPECT_EQ(last_seen_total.load(), kThreads * kValues) << "every thread ends on the last value";
  ASSERT_NE(relay.LoadCached(), nullptr);
  EXPECT_EQ(relay.LoadCached()->id, kValues);
  EXPECT_EQ(relay.Load()->id, kValues);
}

}  // namespace
}  // namespace tokenwarden::agent
