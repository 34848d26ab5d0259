#include "tokenwarden/secret.h"

#include <openssl/crypto.h>

#include <ostream>

namespace tokenwarden {

void SecureZero(void* data, size_t size) { OPENSSL_cleanse(data, size); }

Secret::Secret(std::string value) : value_(std::move(value)) {
  static const size_t kInObject = std::string().capacity();  // a short string's own buffer
  size_t size = value_.size();
  if (value_.capacity() <= kInObject || value_.capacity() - size <= size / 8) return;
  std::string exact(value_);  // a copy allocates its exact size
  Wipe();
  value_.swap(exact);  // `exact` now holds the wiped buffer and frees it
}

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) {
  other.Wipe();
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}

Secret::~Secret() { Wipe(); }

void Secret::Wipe() {
  // Zero the whole buffer, including a short-string buffer's spare bytes.
  if (value_.capacity() > 0) SecureZero(value_.data(), value_.capacity());
  value_.clear();
}

bool Secret::Equals(const Secret& other) const { return Equals(std::string_view(other.value_)); }

bool Secret::Equals(std::string_view presented) const {
  if (value_.size() != presented.size()) return false;
  return CRYPTO_memcmp(value_.data(), presented.data(), value_.size()) == 0;
}

std::ostream& operator<<(std::ostream& os, const Secret&) {
  return os << Secret::kRedacted;
}

}  // namespace tokenwarden
