#include "util/toml_text.h"

#include <cstdio>

namespace tokenwarden {
namespace {

// The code point of the UTF-8 sequence at text[i] (best effort: toml++
// itself refuses malformed UTF-8), and its length in bytes.
std::pair<unsigned, size_t> CodePoint(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  unsigned cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n && i + k < text.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  }
  return {cp, n};
}

// A multi-line string ends at the last three of a run of up to five quotes
// (one or two may stand just inside the delimiter): the run's length.
size_t QuoteRun(std::string_view text, size_t i, char quote) {
  size_t n = 0;
  while (n < 5 && i + n < text.size() && text[i + n] == quote) ++n;
  return n;
}

}  // namespace

std::optional<std::string> NonAsciiOutsideStrings(std::string_view text) {
  enum class In { kNothing, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  In in = In::kNothing;
  size_t line = 1, column = 1;
  size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (i < text.size()) {
    char c = text[i];
    size_t step = 1;
    switch (in) {
      case In::kNothing:
        if (static_cast<unsigned char>(c) >= 0x80) {
          auto [cp, n] = CodePoint(text, i);
          char what[160];
          std::snprintf(what, sizeof what,
                        "%zu:%zu: a non-ASCII character (U+%04X) outside a quoted string; TOML allows such "
                        "characters only in strings and comments",
                        line, column, cp);
          return std::string(what);
        }
        if (c == '#') in = In::kComment;
        if (c == '"') {
          in = text.substr(i, 3) == "\"\"\"" ? In::kMultiBasic : In::kBasic;
          if (in == In::kMultiBasic) step = 3;
        }
        if (c == '\'') {
          in = text.substr(i, 3) == "'''" ? In::kMultiLiteral : In::kLiteral;
          if (in == In::kMultiLiteral) step = 3;
        }
        break;
      case In::kComment:
        if (c == '\n') in = In::kNothing;
        break;
      case In::kBasic:
      case In::kMultiBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          step = 2;  // an escape: the next character is not the string's end
        } else if (in == In::kBasic && (c == '"' || c == '\n')) {
          in = In::kNothing;  // a newline ends it here; toml++ reports that itself
        } else if (in == In::kMultiBasic && text.substr(i, 3) == "\"\"\"") {
          in = In::kNothing;
          step = QuoteRun(text, i, '"');
        }
        break;
      case In::kLiteral:
        if (c == '\'' || c == '\n') in = In::kNothing;
        break;
      case In::kMultiLiteral:
        if (text.substr(i, 3) == "'''") {
          in = In::kNothing;
          step = QuoteRun(text, i, '\'');
        }
        break;
    }
    for (size_t k = 0; k < step && i < text.size(); ++k, ++i) {
      unsigned char b = static_cast<unsigned char>(text[i]);
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else if ((b & 0xC0) != 0x80) {
        ++column;  // a character's first byte
      }
    }
  }
  return std::nullopt;
}

Result<toml::table> ParseToml(std::string_view text, const std::string& file) {
  if (auto bad = NonAsciiOutsideStrings(text)) return MakeError(ErrorCode::kInvalidArgument, file + ":" + *bad);
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return MakeError(ErrorCode::kInvalidArgument, file + ":" + std::to_string(e.source().begin.line) + ":" +
                                                      std::to_string(e.source().begin.column) + ": " +
                                                      std::string(e.description()));
  }
}

}  // namespace tokenwarden
