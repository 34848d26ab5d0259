#include "providers/request_id.h"

#include <openssl/rand.h>

#include <array>
#include <random>

namespace tokenwarden::providers {

std::string NewRequestId() {
  std::array<unsigned char, 16> raw{};
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
    std::random_device device;
    for (auto& b : raw) b = static_cast<unsigned char>(device());
  }
  raw[6] = static_cast<unsigned char>((raw[6] & 0x0f) | 0x40);  // version 4
  raw[8] =
      static_cast<unsigned char>((raw[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[raw[i] >> 4];
    out += kHex[raw[i] & 15];
  }
  return out;
}

}  // namespace tokenwarden::providers
