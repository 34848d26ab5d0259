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

}  // namespace
}  // namespace tokenwarden
