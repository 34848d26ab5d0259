// Cutting text that may be UTF-8 (input quoted in a message) without
// splitting a character: a message goes into JSON and logs, which must stay
// valid UTF-8.
#ifndef TOKENWARDEN_UTIL_UTF8_H_
#define TOKENWARDEN_UTIL_UTF8_H_

#include <cstddef>
#include <string_view>

namespace tokenwarden {

// The longest start of `text` of at most `max_bytes` that ends between
// characters: a cut never leaves a character's continuation bytes behind it.
inline std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_UTF8_H_
