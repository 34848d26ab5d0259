// ASCII case for protocol text (header names, schemes, codes): no locale,
// inlined; what HTTP means by case-insensitive.
#ifndef TOKENWARDEN_UTIL_ASCII_H_
#define TOKENWARDEN_UTIL_ASCII_H_

#include <string>
#include <string_view>

namespace tokenwarden {

inline char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline void AsciiLowerInPlace(std::string& s) {
  for (char& c : s) c = AsciiLower(c);
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_ASCII_H_
