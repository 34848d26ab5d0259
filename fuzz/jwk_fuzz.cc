// libFuzzer: JWK import from arbitrary JSON text, and export of what imports.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jose/jwk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto key = tokenwarden::jose::EcKey::FromJwkString(input);
  if (key.ok()) {
    // What imports must export and import again to the same public key.
    auto again = tokenwarden::jose::EcKey::FromJwk(key->PublicJwk());
    if (!again.ok() || again->PublicJwk() != key->PublicJwk()) std::abort();
  }
  return 0;
}
