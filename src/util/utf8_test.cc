#include "util/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace tokenwarden {
namespace {

TEST(Utf8Prefix, CutsOnlyBetweenCharacters) {
  EXPECT_EQ(Utf8Prefix("short", 64), "short");
  EXPECT_EQ(Utf8Prefix("abcdef", 3), "abc");
  const std::string kyiv = "\xD0\x9A\xD0\xB8\xD1\x97\xD0\xB2";  // Київ: four two-byte letters
  EXPECT_EQ(Utf8Prefix(kyiv, 4), kyiv.substr(0, 4));
  EXPECT_EQ(Utf8Prefix(kyiv, 5), kyiv.substr(0, 4));  // not half of "ї"
  EXPECT_EQ(Utf8Prefix(kyiv, 1), "");
  const std::string euro = "1\xE2\x82\xAC";  // "1€": a three-byte character
  EXPECT_EQ(Utf8Prefix(euro, 2), "1");
  EXPECT_EQ(Utf8Prefix(euro, 3), "1");
  EXPECT_EQ(Utf8Prefix(euro, 4), euro);
  // Bytes that are not UTF-8 at all are cut where asked (nothing to keep whole).
  EXPECT_EQ(Utf8Prefix("\xFF\xFE\xFD", 2), "\xFF\xFE");
}

}  // namespace
}  // namespace tokenwarden
