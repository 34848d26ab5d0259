// SessionCell: one published session, read by many threads, replaced by one
// writer now and then (every few hours).
//
// Readers take no lock and touch no cache line the other readers write: each
// thread keeps its own reference (with its own reference count) to the
// published session and checks only an atomic version number. A thread's
// first read after a publication takes the slow path once.
#ifndef TOKENWARDEN_SESSION_SESSION_CELL_H_
#define TOKENWARDEN_SESSION_SESSION_CELL_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "tokenwarden/session.h"

namespace tokenwarden::session {

// Thread-safety: Get() from any thread; Set() from any thread, but
// publications are ordered by the caller (one writer at a time).
class SessionCell {
 public:
  SessionCell();
  SessionCell(const SessionCell&) = delete;
  SessionCell& operator=(const SessionCell&) = delete;

  // The session last published (null before the first or after a Set(null)).
  std::shared_ptr<const Session> Get() const;
  void Set(std::shared_ptr<const Session> session);

  // Whether the published session is unexpired at `now`, without taking a
  // reference to it: cheap enough to ask of 100,000 cells in a row, which
  // Get() is not (each would miss the thread's cache).
  bool ValidAt(TimePoint now) const {
    return now.time_since_epoch().count() < expires_.load(std::memory_order_acquire);
  }

 private:
  const uint64_t id_;  // unique per cell in the process: keys the thread caches
  std::atomic<uint64_t> version_{1};
  std::atomic<std::shared_ptr<const Session>> session_;
  std::atomic<TimePoint::rep> expires_{TimePoint::min().time_since_epoch().count()};
};

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_SESSION_CELL_H_
