#include "tokenwarden/result.h"

#include <gtest/gtest.h>

#include <memory>

namespace tokenwarden {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return MakeError(ErrorCode::kInvalidArgument, "odd: " + std::to_string(n));
  return n / 2;
}

Result<int> Quarter(int n) {
  TW_ASSIGN_OR_RETURN(int h, Half(n));
  return Half(h);
}

Status CheckEven(int n) {
  TW_RETURN_IF_ERROR(Half(n));
  return OkStatus();
}

TEST(Result, ValueAndErrorPropagate) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().ToString(), "invalid_argument: odd: 3");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_FALSE(CheckEven(5).ok());
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(Result, WithContextPrefixes) {
  Error e = WithContext(MakeError(ErrorCode::kIo, "disk full"), "saving account 'shop'");
  EXPECT_EQ(e.message, "saving account 'shop': disk full");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kFailedPrecondition), "failed_precondition");
}

}  // namespace
}  // namespace tokenwarden
