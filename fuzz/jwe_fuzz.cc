// libFuzzer: JWE compact parse + decrypt with the shared vectors' key, so
// that seeds made from valid tokens reach the crypto paths.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "jose/jwe.h"
#include "util/file_io.h"

namespace {
std::optional<tokenwarden::jose::EcKey> g_key;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto text = tokenwarden::ReadFile(std::string(TW_SHARED_DIR) + "/testdata/jose/key.json");
  if (!text.ok()) std::abort();
  auto key = tokenwarden::jose::EcKey::FromJwkString(*text);
  if (!key.ok()) std::abort();
  g_key = *key;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto out = tokenwarden::jose::DecryptCompact(input, *g_key);
  (void)out;
  return 0;
}
