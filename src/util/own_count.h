// A second pointer to a shared object whose reference count is its own.
//
// Copies of one shared_ptr all bump one count; on a value read by every
// server thread on every request, that count's cache line moves between the
// cores each time. A thread that keeps the pointer WithOwnCount returns
// counts on a control block only it touches, which holds one reference to
// the shared one (session/session_cell.cc, agent/late_published.h).
#ifndef TOKENWARDEN_UTIL_OWN_COUNT_H_
#define TOKENWARDEN_UTIL_OWN_COUNT_H_

#include <memory>
#include <utility>

namespace tokenwarden {

// Null for null.
template <class T>
std::shared_ptr<T> WithOwnCount(std::shared_ptr<T> shared) {
  if (!shared) return nullptr;
  T* object = shared.get();
  auto owner = std::make_shared<std::shared_ptr<T>>(std::move(shared));
  return std::shared_ptr<T>(std::move(owner), object);
}

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_OWN_COUNT_H_
