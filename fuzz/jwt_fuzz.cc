// libFuzzer: JWT decode without verification, and HS256 verification.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "jose/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto claims = tokenwarden::jose::DecodeUnverified(input, {.require_exp = false});
  (void)claims;
  static const tokenwarden::Secret kKey("fuzz-secret-fuzz-secret-fuzz-sec");
  auto verified = tokenwarden::jose::VerifyHs256(input, kKey);
  (void)verified;
  return 0;
}
