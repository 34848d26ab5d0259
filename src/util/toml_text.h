// The one way the project reads TOML text (the agent's configuration, the
// emulator's): toml++'s parser behind a check of its own. toml++ 3.3.0 (the
// one Debian 12 ships) reaches its own TOML_UNREACHABLE for some non-ASCII
// characters outside a quoted string (U+00A1 to U+0499, Cyrillic among
// them: one stray letter of a Ukrainian keyboard layout in a key), which is
// undefined behaviour in a release build; config_fuzz found it in seconds.
// TOML 1.0 allows non-ASCII characters only in strings and comments, so
// such text is refused first, with the place and the character named.
#ifndef TOKENWARDEN_UTIL_TOML_TEXT_H_
#define TOKENWARDEN_UTIL_TOML_TEXT_H_

#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "tokenwarden/result.h"

namespace tokenwarden {

// The first non-ASCII character outside a quoted string or a comment, as
// "LINE:COLUMN: ..." (1-based; the column counts characters, as toml++'s
// does), or nullopt when there is none. A UTF-8 byte order mark at the
// start is allowed.
std::optional<std::string> NonAsciiOutsideStrings(std::string_view text);

// Parses `text`, naming `file` in errors: "FILE:LINE:COLUMN: what".
Result<toml::table> ParseToml(std::string_view text, const std::string& file);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_TOML_TEXT_H_
