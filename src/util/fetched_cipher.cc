#include "util/fetched_cipher.h"

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace tokenwarden {

const EVP_CIPHER* FetchedCipher(const char* name) {
  // Never destroyed, so the fetched ciphers stay reachable until exit.
  static std::mutex* mu = new std::mutex;
  // Looked up by the name as given: a hit allocates nothing (every record
  // and every JWE asks).
  static auto* cache = new std::map<std::string, EVP_CIPHER*, std::less<>>;
  std::lock_guard<std::mutex> lock(*mu);
  auto it = cache->find(std::string_view(name));
  if (it != cache->end() && it->second != nullptr) return it->second;
  EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name, nullptr);
  (*cache)[name] = c;
  return c;
}

}  // namespace tokenwarden
