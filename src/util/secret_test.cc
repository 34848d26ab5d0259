#include "tokenwarden/secret.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tokenwarden {
namespace {

TEST(Secret, StreamsRedactedNeverTheValue) {
  Secret s("refresh-token-value-123");
  std::ostringstream os;
  os << "token=" << s;
  EXPECT_EQ(os.str(), "token=[redacted]");
  EXPECT_EQ(s.reveal(), "refresh-token-value-123");
}

TEST(Secret, CopyMoveAndCompare) {
  Secret a("abc");
  Secret b = a;
  EXPECT_TRUE(a == b);
  Secret c = std::move(b);
  EXPECT_TRUE(c == a);
  EXPECT_TRUE(b.empty());  // NOLINT: moved-from is defined as empty
  EXPECT_FALSE(Secret("abd") == a);
  EXPECT_FALSE(Secret("ab") == a);
}

TEST(Secret, SecureZeroClearsBytes) {
  char buf[16];
  for (char& ch : buf) ch = 'x';
  SecureZero(buf, sizeof buf);
  for (char ch : buf) EXPECT_EQ(ch, 0);
}

// A string with spare room is copied to its exact size; whatever the size,
// the value is the one given (the spare buffer is wiped only after the copy).
TEST(Secret, KeepsTheValueOfAStringWithSpareRoom) {
  for (size_t size : {0, 1, 14, 15, 16, 17, 100, 1000}) {
    for (size_t room : {size, size + size / 8, size + size / 8 + 1, 2 * size + 40}) {
      std::string value(size, 'v');
      for (size_t i = 0; i < size; ++i) value[i] = static_cast<char>('a' + i % 26);
      std::string given = value;
      given.reserve(room);
      Secret s(std::move(given));
      EXPECT_EQ(s.reveal(), value) << "size " << size << ", room " << room;
    }
  }
}

// A WipingString grows, shrinks and copies like a std::string.
TEST(Secret, WipingStringBehavesAsAString) {
  WipingString w;
  std::string plain;
  for (int i = 0; i < 5000; ++i) {
    w.push_back(static_cast<char>('0' + i % 10));
    plain.push_back(static_cast<char>('0' + i % 10));
  }
  EXPECT_EQ(std::string_view(w), plain);
  WipingString copy = w;
  w.clear();
  w.shrink_to_fit();
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(std::string_view(copy), plain);
}

}  // namespace
}  // namespace tokenwarden
