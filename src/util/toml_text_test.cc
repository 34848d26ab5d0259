#include "util/toml_text.h"

#include <gtest/gtest.h>

namespace tokenwarden {
namespace {

std::string Error(std::string_view text) {
  auto parsed = ParseToml(text, "t.toml");
  return parsed.ok() ? std::string("(parsed)") : parsed.error().message;
}

TEST(TomlText, NonAsciiInStringsAndCommentsIsText) {
  const char* good[] = {
      "name = \"Магазин\"\n",
      "name = 'Магазин'\n",
      "# коментар\nname = \"x\"\n",
      "name = \"\"\"\nрядок 1\nрядок 2\"\"\"\n",
      "name = '''\nрядок\n'''\n",
      "\"ключ\" = 1\n",                             // a quoted key is a string
      "name = \"a \\\" б\"\n",                       // an escaped quote does not end it
      "name = \"\"\"він сказав \"так\"\"\"\"\n",     // quotes just inside the delimiter
      "\xEF\xBB\xBFname = \"ok\"\n",                 // a byte order mark
  };
  for (const char* text : good) {
    EXPECT_EQ(NonAsciiOutsideStrings(text), std::nullopt) << text;
    EXPECT_EQ(Error(text), "(parsed)") << text;
  }
}

TEST(TomlText, NonAsciiOutsideAStringIsRefusedWithItsPlaceAndCodePoint) {
  // U+0456 (і) in a bare key: toml++ 3.3.0 reached TOML_UNREACHABLE on it.
  EXPECT_EQ(Error("[agent]\nlіsten = \"127.0.0.1:8700\"\n"),
            "t.toml:2:2: a non-ASCII character (U+0456) outside a quoted string; TOML allows such characters "
            "only in strings and comments");
  EXPECT_NE(Error("a = 1 ¡\n").find("t.toml:1:7: a non-ASCII character (U+00A1)"), std::string::npos);
  EXPECT_NE(Error("a = \"x\" Ж\n").find("(U+0416)"), std::string::npos);
  // After a string or a comment ends, the scan is back outside.
  EXPECT_NE(Error("a = 'x'\nЖ = 1\n").find("t.toml:2:1:"), std::string::npos);
  EXPECT_NE(Error("# ok ж\nb = ж\n").find("t.toml:2:5:"), std::string::npos);
  EXPECT_NE(Error("a = \"\"\"\nж\n\"\"\" ж\n").find("t.toml:3:5:"), std::string::npos);
  EXPECT_NE(Error("a = \"\\\\\" ж\n").find("t.toml:1:10:"), std::string::npos);  // "\\" then outside
  // A string left open at the line's end is toml++'s to report.
  EXPECT_NE(Error("a = \"open\nb = 1\n").find("t.toml:1:"), std::string::npos);
}

TEST(TomlText, SyntaxErrorsNameFileLineAndColumn) {
  EXPECT_EQ(Error("a = \n").rfind("t.toml:1:", 0), 0u) << Error("a = \n");
}

}  // namespace
}  // namespace tokenwarden
