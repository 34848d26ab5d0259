#include "util/interned.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tokenwarden {
namespace {

TEST(LastInterned, AlikeValuesInARowShareOneCopy) {
  LastInterned<std::string> interned;
  auto a = interned.Get("https://api.novapost.com/v.1.0");
  auto b = interned.Get("https://api.novapost.com/v.1.0");
  EXPECT_EQ(a.get(), b.get());
  auto c = interned.Get("https://api.novaposhta.ua/v.1.0");
  EXPECT_NE(c.get(), a.get());
  EXPECT_EQ(*c, "https://api.novaposhta.ua/v.1.0");
  EXPECT_EQ(*a, "https://api.novapost.com/v.1.0") << "an earlier copy is not changed";
  // Only the last value is remembered: going back makes a new copy.
  auto d = interned.Get("https://api.novapost.com/v.1.0");
  EXPECT_NE(d.get(), a.get());
  EXPECT_EQ(*d, *a);
}

TEST(LastInterned, ACopyNobodyHoldsIsNotKept) {
  LastInterned<std::vector<int>> interned;
  std::weak_ptr<const std::vector<int>> first = interned.Get({1, 2, 3});
  EXPECT_TRUE(first.expired());
  auto again = interned.Get({1, 2, 3});
  EXPECT_EQ(*again, (std::vector<int>{1, 2, 3}));
}

}  // namespace
}  // namespace tokenwarden
