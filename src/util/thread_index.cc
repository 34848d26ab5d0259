#include "util/thread_index.h"

#include <atomic>

namespace tokenwarden {

size_t ThisThreadIndex() {
  static std::atomic<size_t> next{0};
  thread_local const size_t index = next.fetch_add(1, std::memory_order_relaxed);
  return index;
}

}  // namespace tokenwarden
