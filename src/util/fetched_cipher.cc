#include "util/fetched_cipher.h"

#include <map>
#include <mutex>
#include <string>

namespace tokenwarden {

const EVP_CIPHER* FetchedCipher(const char* name) {
  // Never destroyed, so the fetched ciphers stay reachable until exit.
  static std::mutex* mu = new std::mutex;
  static auto* cache = new std::map<std::string, EVP_CIPHER*>;
  std::lock_guard<std::mutex> lock(*mu);
  EVP_CIPHER*& c = (*cache)[name];
  if (c == nullptr) c = EVP_CIPHER_fetch(nullptr, name, nullptr);
  return c;
}

}  // namespace tokenwarden
