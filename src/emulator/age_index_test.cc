// AgeIndex: what Trim forgets (by cut-off, then by count, oldest first),
// that PopDue yields only what is due, and that Move re-orders.
#include "emulator/age_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace tokenwarden::emulator {
namespace {

TimePoint At(int seconds) { return TimePoint{} + std::chrono::seconds(seconds); }

struct Indexed {
  std::map<std::string, int> map;
  AgeIndex index;
  void Put(const std::string& id, int age) {
    map[id] = age;
    index.Add(At(age), id);
  }
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const auto& [id, age] : map) ids.push_back(id);
    return ids;
  }
};

TEST(AgeIndex, TrimForgetsThosePastTheCutoffThenTheOldestPastTheBound) {
  struct Case {
    const char* name;
    int cutoff;
    size_t most;
    std::vector<std::string> kept;
  };
  const Case cases[] = {
      {"nothing due", 0, 10, {"a", "b", "c", "d"}},
      {"cutoff is strict: age 10 stays", 10, 10, {"a", "b", "c", "d"}},
      {"past the cutoff", 21, 10, {"a", "d"}},
      {"bound only: the oldest go", 0, 2, {"a", "d"}},
      {"cutoff, then the bound", 21, 1, {"a"}},
      {"bound of zero", 0, 0, {}},
  };
  for (const Case& c : cases) {
    Indexed x;
    x.Put("b", 10);
    x.Put("d", 30);
    x.Put("c", 20);
    x.Put("a", 40);
    std::vector<int> forgotten;
    x.index.Trim(x.map, At(c.cutoff), c.most, [&](int age) { forgotten.push_back(age); });
    EXPECT_EQ(x.Ids(), c.kept) << c.name;
    EXPECT_EQ(x.index.size(), c.kept.size()) << c.name;
    EXPECT_TRUE(std::is_sorted(forgotten.begin(), forgotten.end())) << c.name;
    EXPECT_EQ(forgotten.size(), 4 - c.kept.size()) << c.name;
  }
}

TEST(AgeIndex, TrimSkipsIdsTheMapNoLongerHolds) {
  Indexed x;
  x.Put("gone", 1);
  x.Put("kept", 2);
  x.map.erase("gone");
  int forgets = 0;
  x.index.Trim(x.map, At(2), 10, [&](int) { ++forgets; });
  EXPECT_EQ(forgets, 0);
  EXPECT_EQ(x.Ids(), std::vector<std::string>{"kept"});
  EXPECT_EQ(x.index.size(), 1u);
}

TEST(AgeIndex, PopDueYieldsTheOldestDueOnlyAndMoveReorders) {
  AgeIndex index;
  index.Add(At(30), "late");
  index.Add(At(10), "early");
  index.Add(At(20), "middle");
  index.Move(At(20), At(5), "middle");
  index.Remove(At(99), "early");  // not at that age: nothing removed
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.PopDue(At(4)), std::nullopt);
  EXPECT_EQ(index.PopDue(At(10)), "middle");
  EXPECT_EQ(index.PopDue(At(10)), "early");  // due at exactly its age
  EXPECT_EQ(index.PopDue(At(29)), std::nullopt);
  index.Remove(At(30), "late");
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.PopDue(At(1000)), std::nullopt);
}

}  // namespace
}  // namespace tokenwarden::emulator
