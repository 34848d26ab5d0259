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
    return GetIf([&](const T& last) { return last == value; },
                 [&] { return std::make_shared<const T>(std::move(value)); });
  }

  // The last copy when `same(last)`, else the one `make()` returns, which
  // becomes the last: for values costly to make that are known by a key.
  template <class Same, class Make>
  std::shared_ptr<const T> GetIf(Same same, Make make) {
    std::lock_guard lock(mu_);
    if (auto last = last_.lock(); last && same(*last)) return last;
    std::shared_ptr<const T> fresh = make();
    last_ = fresh;
    return fresh;
  }

 private:
  std::mutex mu_;
  std::weak_ptr<const T> last_;
};

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_INTERNED_H_
