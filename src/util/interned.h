// One shared, immutable copy of values that repeat from one object to the
// next: 100,000 accounts configured alike hold one copy of their common
// settings, not 100,000.
#ifndef TOKENWARDEN_UTIL_INTERNED_H_
#define TOKENWARDEN_UTIL_INTERNED_H_

#include <memory>
#include <mutex>
#include <utility>

namespace tokenwarden {

// Compares each value with the last one handed out only: no table to grow
// or to clean, and accounts are built in runs of alike ones. The copy lives
// as long as someone holds it.
// Thread-safety: Get may be called from any thread.
template <class T>
class LastInterned {
 public:
  std::shared_ptr<const T> Get(T value) {
    std::lock_guard lock(mu_);
    if (auto last = last_.lock(); last && *last == value) return last;
    auto fresh = std::make_shared<const T>(std::move(value));
    last_ = fresh;
    return fresh;
  }

 private:
  std::mutex mu_;
  std::weak_ptr<const T> last_;
};

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_INTERNED_H_
