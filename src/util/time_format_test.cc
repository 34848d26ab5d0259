#include "util/time_format.h"

#include <gtest/gtest.h>

namespace tokenwarden {
namespace {

using std::chrono::milliseconds;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

TimePoint Utc(long long unix_seconds, Duration frac = Duration::zero()) {
  return FromUnixSeconds(unix_seconds) + frac;
}

// 2025-02-27 12:12:34 UTC
constexpr long long kBankExample = 1740658354;

TEST(ParseTimestamp, BankUtcShapeWithFourDigitsAndSpacedOffset) {
  auto t = ParseTimestamp("2025-02-27 12:12:34.0430 +0000");
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  EXPECT_EQ(*t, Utc(kBankExample, milliseconds(43)));
}

TEST(ParseTimestamp, BankKyivShapeIsTheSameInstant) {
  auto kyiv = ParseTimestamp("2025-02-27 14:12:34.430+02:00");
  ASSERT_TRUE(kyiv.ok()) << kyiv.error().ToString();
  EXPECT_EQ(*kyiv, Utc(kBankExample, milliseconds(430)));
}

TEST(ParseTimestamp, ZonelessDottedDateIsKyivLocalInWinterAndSummer) {
  // November: UTC+2.
  auto winter = ParseTimestamp("2025.11.13 17:16:04.227");
  ASSERT_TRUE(winter.ok()) << winter.error().ToString();
  EXPECT_EQ(*winter, *ParseTimestamp("2025-11-13T15:16:04.227Z"));
  // July: UTC+3.
  auto summer = ParseTimestamp("2025.07.01 12:00:00");
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(*summer, *ParseTimestamp("2025-07-01T09:00:00Z"));
}

TEST(ParseTimestamp, OffsetWithColonFromOtherEndpoints) {
  auto t = ParseTimestamp("2024-09-05 18:35:18.210+03:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, *ParseTimestamp("2024-09-05T15:35:18.21Z"));
}

TEST(ParseTimestamp, IsoForms) {
  EXPECT_EQ(*ParseTimestamp("2025-02-27T12:12:34Z"), Utc(kBankExample));
  EXPECT_EQ(*ParseTimestamp("2025-02-27T13:42:34+0130"), Utc(kBankExample));
  EXPECT_EQ(*ParseTimestamp("2025-02-27T07:12:34-05:00"), Utc(kBankExample));
}

TEST(ParseTimestamp, ZeroToNineFractionalDigits) {
  EXPECT_EQ(*ParseTimestamp("2025-02-27T12:12:34Z"), Utc(kBankExample));
  EXPECT_EQ(*ParseTimestamp("2025-02-27T12:12:34.1Z"), Utc(kBankExample, milliseconds(100)));
  EXPECT_EQ(*ParseTimestamp("2025-02-27T12:12:34.000001Z"),
            Utc(kBankExample, microseconds(1)));
  EXPECT_EQ(*ParseTimestamp("2025-02-27T12:12:34.123456789Z"),
            Utc(kBankExample, nanoseconds(123456789)));
  EXPECT_FALSE(ParseTimestamp("2025-02-27T12:12:34.1234567891Z").ok());
  EXPECT_FALSE(ParseTimestamp("2025-02-27T12:12:34.Z").ok());
}

TEST(ParseTimestamp, KyivDaylightSavingEdges) {
  // 2025: summer time from 30 March 01:00 UTC to 26 October 01:00 UTC.
  EXPECT_EQ(*ParseTimestamp("2025.03.30 02:59:59"), *ParseTimestamp("2025-03-30T00:59:59Z"));
  EXPECT_EQ(*ParseTimestamp("2025.03.30 04:00:00"), *ParseTimestamp("2025-03-30T01:00:00Z"));
  // The skipped hour reads as winter time.
  EXPECT_EQ(*ParseTimestamp("2025.03.30 03:30:00"), *ParseTimestamp("2025-03-30T01:30:00Z"));
  // The repeated hour reads as its first (summer) occurrence.
  EXPECT_EQ(*ParseTimestamp("2025.10.26 03:30:00"), *ParseTimestamp("2025-10-26T00:30:00Z"));
  EXPECT_EQ(*ParseTimestamp("2025.10.26 04:00:00"), *ParseTimestamp("2025-10-26T02:00:00Z"));
}

// Found by answer_fuzz: a long input cut at 64 bytes inside a two-byte
// character left invalid UTF-8 in the message, which a JSON dump of the
// session's state then refused (an exception that ended the process).
TEST(ParseTimestamp, AnInputCutShortIsCutBetweenCharacters) {
  std::string text = std::string(63, '2') + "\xD0\x9A" + "tail";  // a Cyrillic letter across byte 64
  auto t = ParseTimestamp(text);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find(std::string(63, '2') + "...\""), std::string::npos) << t.error().message;
  std::string whole = std::string(62, '2') + "\xD0\x9A" + "tail";  // the letter ends at byte 64: kept
  EXPECT_NE(ParseTimestamp(whole).error().message.find("2\xD0\x9A...\""), std::string::npos);
}

TEST(ParseTimestamp, ErrorsNameTheInput) {
  for (const char* bad :
       {"", "2025-02-27", "2025-02-30 10:00:00Z", "2025-13-01 10:00:00Z",
        "2025-02-27 24:00:00Z", "2025-02-27 12:60:00Z", "2025/02/27 12:00:00Z",
        "2025-02-27 12:12:34+0000x", "2025-02-27 12:12:34 +2", "2025-02-27 12:12:34+15:00",
        "25-02-27 12:12:34Z", "2025-02-27 12:12:34 ", "2025-02.27 12:12:34Z",
        "2025-02-27 1:12:34Z",
        // Found by timestamp_fuzz: past system_clock's range once the offset is applied.
        "2262-04-11 17:35:18-0600", "1600-01-01 00:00:00Z", "9999-12-31 23:59:59+14:00"}) {
    auto t = ParseTimestamp(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(t.error().message.find(std::string("\"") + bad), std::string::npos)
        << t.error().message;
  }
}

// Found by timestamp_fuzz: "1900-01-01 01:35:15+0300" is 1899 in UTC, which
// once parsed but formatted to text that did not read back. The range is one
// of instants, so every form of an instant in it reads back.
TEST(ParseTimestamp, ReadsInstantsFrom1900To2200AndEveryFormReadsBack) {
  const TimePoint earliest = *ParseTimestamp("1900-01-01T00:00:00Z");
  const TimePoint latest = *ParseTimestamp("2200-01-01T00:00:00Z");
  EXPECT_EQ(earliest, Utc(kEarliestUnixSeconds));
  EXPECT_EQ(latest, Utc(kLatestUnixSeconds));
  EXPECT_EQ(*ParseTimestamp("1899-12-31 22:00:00-02:00"), earliest);
  EXPECT_EQ(*ParseTimestamp("2200.01.01 02:00:00"), latest);  // Kyiv winter
  for (TimePoint t : {earliest, latest}) {
    for (const std::string& form : {FormatUtcIso(t), FormatKyivIso(t), FormatBankUtc(t), FormatBankKyiv(t)}) {
      auto back = ParseTimestamp(form);
      ASSERT_TRUE(back.ok()) << form;
      EXPECT_EQ(*back, t) << form;
    }
  }
  for (const char* outside : {"1900-01-01 01:35:15+0300", "1899-12-31T23:59:59.999Z", "1900.01.01 01:59:59",
                              "2200-01-01T00:00:00.000000001Z", "2200-01-01 01:00:00-01:00",
                              "2200.01.01 02:00:01"}) {
    auto t = ParseTimestamp(outside);
    ASSERT_FALSE(t.ok()) << outside;
    EXPECT_NE(t.error().message.find("outside 1900-01-01T00:00:00Z..2200-01-01T00:00:00Z"), std::string::npos)
        << t.error().message;
  }
}

TEST(FormatTimestamp, BankShapesRoundTrip) {
  TimePoint t = Utc(kBankExample, milliseconds(43));
  EXPECT_EQ(FormatBankUtc(t), "2025-02-27 12:12:34.0430 +0000");
  EXPECT_EQ(FormatBankKyiv(t), "2025-02-27 14:12:34.043+02:00");
  EXPECT_EQ(*ParseTimestamp(FormatBankUtc(t)), t);
  EXPECT_EQ(*ParseTimestamp(FormatBankKyiv(t)), t);
}

// The bank's order-data example: "createDate": "2024-10-23 11:55:36.41+03:00".
TEST(FormatTimestamp, OrderShapeHasHundredthsInKyivTime) {
  TimePoint t = *ParseTimestamp("2024-10-23 11:55:36.41+03:00");
  EXPECT_EQ(FormatBankOrderKyiv(t), "2024-10-23 11:55:36.41+03:00");
  EXPECT_EQ(FormatBankOrderKyiv(Utc(kBankExample, milliseconds(43))), "2025-02-27 14:12:34.04+02:00");
}

// The operation lookup's example: "createDateTime": "2024.09.19 15:29:25.675",
// Kyiv local time without a zone; it reads back to the same instant.
TEST(FormatTimestamp, OperationLookupShapeIsKyivLocalWithDots) {
  TimePoint summer = *ParseTimestamp("2024.09.19 15:29:25.675");
  EXPECT_EQ(FormatBankLocalKyiv(summer), "2024.09.19 15:29:25.675");
  EXPECT_EQ(FormatUtcIso(summer), "2024-09-19T12:29:25.675Z");
  TimePoint winter = Utc(kBankExample, milliseconds(43));
  EXPECT_EQ(FormatBankLocalKyiv(winter), "2025.02.27 14:12:34.043");
  EXPECT_EQ(*ParseTimestamp(FormatBankLocalKyiv(winter)), winter);
}

// Nova Post's shipment example: "createdAt": "2023-04-11T10:42:05.543380Z".
TEST(FormatTimestamp, NovaPostShapeHasMicrosecondsInUtc) {
  TimePoint t = *ParseTimestamp("2023-04-11T10:42:05.543380Z");
  EXPECT_EQ(FormatNovaPostUtc(t), "2023-04-11T10:42:05.543380Z");
  EXPECT_EQ(FormatNovaPostUtc(Utc(kBankExample, milliseconds(43))), "2025-02-27T12:12:34.043000Z");
  EXPECT_EQ(*ParseTimestamp(FormatNovaPostUtc(t)), t);
}

TEST(FormatTimestamp, IsoInUtcAndKyiv) {
  EXPECT_EQ(FormatUtcIso(Utc(kBankExample)), "2025-02-27T12:12:34Z");
  EXPECT_EQ(FormatUtcIso(Utc(kBankExample, milliseconds(5))), "2025-02-27T12:12:34.005Z");
  EXPECT_EQ(FormatKyivIso(Utc(kBankExample)), "2025-02-27T14:12:34+02:00");
  TimePoint july = *ParseTimestamp("2025-07-01T09:00:00Z");
  EXPECT_EQ(FormatKyivIso(july), "2025-07-01T12:00:00+03:00");
  EXPECT_EQ(KyivOffsetSeconds(july), 10800);
}

}  // namespace
}  // namespace tokenwarden
