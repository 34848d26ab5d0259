// libFuzzer: timestamp parsing; whatever parses must format and parse back
// to the same instant.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/time_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto t = tokenwarden::ParseTimestamp(input);
  if (!t.ok()) return 0;
  auto utc = tokenwarden::ParseTimestamp(tokenwarden::FormatUtcIso(*t));
  auto kyiv = tokenwarden::ParseTimestamp(tokenwarden::FormatKyivIso(*t));
  // ISO formatting keeps milliseconds: compare at that precision.
  auto ms = [](tokenwarden::TimePoint p) {
    return std::chrono::floor<std::chrono::milliseconds>(p);
  };
  if (!utc.ok() || !kyiv.ok() || ms(*utc) != ms(*t) || ms(*kyiv) != ms(*t)) std::abort();
  return 0;
}
