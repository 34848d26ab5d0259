// The strands and the alarm queue that the token managers on one executor
// share, so that 100,000 accounts do not cost a strand and a timer each.
#ifndef TOKENWARDEN_SESSION_STRAND_POOL_H_
#define TOKENWARDEN_SESSION_STRAND_POOL_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "session/alarm_queue.h"

namespace tokenwarden::session {

using Strand = boost::asio::strand<boost::asio::any_io_executor>;

// A strand each cost about 160 B an account: its implementation, and the
// copy of the strand that any_io_executor allocates (it does not fit its
// small buffer). A manager's handlers are short and its coroutine lets go
// of the strand while it waits, so managers that share one seldom wait for
// each other.
// Thread-safety: For() and every const method may be called from any thread.
class StrandPool {
 public:
  static constexpr size_t kStrands = 256;

  // The pool of `executor`: the one made last when it was made for the same
  // executor and is still held, else a new one.
  static std::shared_ptr<const StrandPool> For(const boost::asio::any_io_executor& executor);

  explicit StrandPool(const boost::asio::any_io_executor& executor);

  // Round robin: accounts made one after another land on different strands.
  // The strand lives as long as the pool.
  const Strand& Next() const;

  // The managers' sleeps between turns, on one timer.
  AlarmQueue& alarms() const { return *alarms_; }

 private:
  boost::asio::any_io_executor executor_;
  std::shared_ptr<AlarmQueue> alarms_;
  std::vector<Strand> strands_;
  mutable std::atomic<size_t> next_{0};
};

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_STRAND_POOL_H_
