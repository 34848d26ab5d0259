#include "providers/alliance_expiry.h"

#include <gtest/gtest.h>

#include "util/time_format.h"

namespace tokenwarden::providers {
namespace {

const TimePoint kIssued =
    FromUnixSeconds(1740571954);  // 2025-02-26 12:12:34 UTC
const TimePoint kExpiry =
    FromUnixSeconds(1740658354) +
    std::chrono::milliseconds(43);  // 2025-02-27 12:12:34.043

TEST(AllianceExpiry, BothFieldsAgree) {
  auto e = ReadAllianceExpiry(
      {{"tokenExpirationDateTime", "2025-02-27 12:12:34.0430 +0000"},
       {"tokenExpiration", "2025-02-27 14:12:34.043+02:00"}},
      kIssued);
  EXPECT_EQ(e.expires_at, kExpiry);
  EXPECT_EQ(e.warning, "");
}

TEST(AllianceExpiry, WithinASecondPrefersUtc) {
  auto e = ReadAllianceExpiry(
      {{"tokenExpirationDateTime", "2025-02-27 12:12:34.0430 +0000"},
       {"tokenExpiration", "2025-02-27 14:12:33.500+02:00"}},
      kIssued);
  EXPECT_EQ(e.expires_at, kExpiry);
  EXPECT_EQ(e.warning, "");
}

TEST(AllianceExpiry, DisagreementTakesTheEarlierAndWarns) {
  auto e = ReadAllianceExpiry(
      {{"tokenExpirationDateTime", "2025-02-27 12:12:34.0430 +0000"},
       {"tokenExpiration",
        "2025-02-27 13:12:34.043+02:00"}},  // an hour earlier
      kIssued);
  EXPECT_EQ(e.expires_at, kExpiry - std::chrono::hours(1));
  EXPECT_NE(e.warning.find("disagree"), std::string::npos);
}

// The instants a timestamp may name (1900..2200) span more than a Duration
// holds: the gap between the two fields was once a subtraction that
// overflowed.
TEST(AllianceExpiry, FieldsCenturiesApartTakeTheEarlierWithoutOverflow) {
  auto e = ReadAllianceExpiry(
      {{"tokenExpirationDateTime", "2200-01-01 00:00:00.0000 +0000"},
       {"tokenExpiration", "1900-01-01 02:00:00.000+02:00"}},
      kIssued);
  EXPECT_LT(e.expires_at, kIssued);
  EXPECT_NE(e.warning.find("disagree"), std::string::npos);
}

TEST(AllianceExpiry, EitherAloneSuffices) {
  auto utc = ReadAllianceExpiry(
      {{"tokenExpirationDateTime", "2025-02-27 12:12:34.0430 +0000"}}, kIssued);
  EXPECT_EQ(utc.expires_at, kExpiry);
  EXPECT_EQ(utc.warning, "");
  auto kyiv = ReadAllianceExpiry(
      {{"tokenExpiration", "2025-02-27 14:12:34.043+02:00"}}, kIssued);
  EXPECT_EQ(kyiv.expires_at, kExpiry);
  EXPECT_EQ(kyiv.warning, "");
}

TEST(AllianceExpiry, AnUnreadableFieldFallsBackToTheOtherWithAWarning) {
  auto e =
      ReadAllianceExpiry({{"tokenExpirationDateTime", "tomorrow"},
                          {"tokenExpiration", "2025-02-27 14:12:34.043+02:00"}},
                         kIssued);
  EXPECT_EQ(e.expires_at, kExpiry);
  EXPECT_NE(e.warning.find("tokenExpirationDateTime"), std::string::npos);
  auto number = ReadAllianceExpiry(
      {{"tokenExpirationDateTime", "2025-02-27 12:12:34.0430 +0000"},
       {"tokenExpiration", 1740658354}},
      kIssued);
  EXPECT_EQ(number.expires_at, kExpiry);
  EXPECT_NE(number.warning.find("tokenExpiration is not a string"),
            std::string::npos);
}

TEST(AllianceExpiry, NeitherMeansADayFromTheRequestAndSaysSo) {
  for (const nlohmann::json& payload :
       {nlohmann::json::object(),
        nlohmann::json{{"tokenExpirationDateTime", nullptr}},
        nlohmann::json{{"tokenExpirationDateTime", "?"},
                       {"tokenExpiration", ""}}}) {
    auto e = ReadAllianceExpiry(payload, kIssued);
    EXPECT_EQ(e.expires_at, kIssued + std::chrono::hours(24)) << payload.dump();
    EXPECT_NE(e.warning.find("assuming 24 h"), std::string::npos) << e.warning;
  }
}

}  // namespace
}  // namespace tokenwarden::providers
