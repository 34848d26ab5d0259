#include "util/log.h"

#include <gtest/gtest.h>

namespace tokenwarden::log {
namespace {

TEST(Log, OneJsonObjectPerLineWithEventFirst) {
  std::string line = FormatLine(Level::kWarn, "refresh_failed", {{"account", "shop"}, {"attempt", 2}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["event"], "refresh_failed");
  EXPECT_EQ(j["account"], "shop");
  EXPECT_EQ(j["attempt"], 2);
  EXPECT_EQ(line.find("\"ts\""), 1u);  // ts, level, event lead every line
}

TEST(Log, InvalidUtf8IsReplacedNotThrown) {
  std::string line = FormatLine(Level::kInfo, "request", {{"path", std::string("/a\xff\xfe")}});
  EXPECT_NO_THROW(nlohmann::json::parse(line));
}

TEST(Log, LevelsFilter) {
  ASSERT_TRUE(SetLevel("warn").ok());
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));
  EXPECT_FALSE(SetLevel("loud").ok());
  ASSERT_TRUE(SetLevel("info").ok());
  EXPECT_TRUE(Enabled(Level::kInfo));
}

}  // namespace
}  // namespace tokenwarden::log
