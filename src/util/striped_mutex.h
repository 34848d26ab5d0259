// A mutex for objects that exist by the hundred thousand and lock rarely or
// briefly, where a std::mutex each (40 B) would be felt.
#ifndef TOKENWARDEN_UTIL_STRIPED_MUTEX_H_
#define TOKENWARDEN_UTIL_STRIPED_MUTEX_H_

#include <cstdint>
#include <mutex>

namespace tokenwarden {

// One of 64 process-wide mutexes, chosen by the object's address (the same
// one each time for one object). Objects that share one wait for each
// other: hold it only to copy or swap a few words, never across a call out.
inline std::mutex& StripedMutex(const void* object) {
  static std::mutex stripes[64];
  auto key = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(object) >> 4);
  return stripes[(key * 0x9E3779B97F4A7C15ull) >> 58];
}

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_STRIPED_MUTEX_H_
