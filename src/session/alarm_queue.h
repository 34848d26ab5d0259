// One timer for many sleepers. Every account's TokenManager sleeps between
// turns, until its next step is due (an hour at most at a time). With a
// steady_timer of its own and that timer's pending wait, a sleeper held
// about 300 B (112 B of timer, 169 B of wait operation, the timer queue's
// entry): a sixth of what an account costs at 100,000 accounts. Here a
// sleeper embeds an Alarm (a deadline and a heap index) and the queue holds
// one pointer to it.
//
// Alarms are set in steady (real) time, from a Clock's time still to go. A
// Clock can jump where a steady timer cannot see it: the wall clock stepped
// by an operator or NTP, an OffsetClock advanced. So the queue watches the
// clocks its alarms were set by (Watch): now and then, while any alarm is
// set, it compares how far each has moved with the real time passed, and a
// clock that jumped rings every alarm at once, so that every sleeper looks
// at the time again. Sleepers need not wake every minute to find out, which
// at 100,000 accounts was 1,700 turns a second.
#ifndef TOKENWARDEN_SESSION_ALARM_QUEUE_H_
#define TOKENWARDEN_SESSION_ALARM_QUEUE_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "tokenwarden/clock.h"

namespace tokenwarden::session {

// Thread-safety: every method may be called from any thread.
class AlarmQueue : public std::enable_shared_from_this<AlarmQueue> {
 public:
  using Clock = std::chrono::steady_clock;

  // Embedded in whatever sleeps, which takes it out of the queue (Cancel)
  // before it goes.
  class Alarm {
   public:
    // Called when the alarm is due, on a thread running the queue's
    // executor and with the queue locked: hand the work on (post it); do
    // not call the queue.
    virtual void Ring() = 0;

   protected:
    Alarm() = default;
    virtual ~Alarm() = default;

   private:
    friend class AlarmQueue;
    static constexpr size_t kNotSet = std::numeric_limits<size_t>::max();
    Clock::time_point due_{};
    size_t index_ = kNotSet;  // in heap_; guarded by the queue's mu_
  };

  // Its timer waits on `executor`. Only while an alarm is set does the
  // queue keep that executor's io_context busy.
  static std::shared_ptr<AlarmQueue> Make(const boost::asio::any_io_executor& executor);

  // Rings `alarm` at `due`; an alarm already set moves there.
  void Set(Alarm& alarm, Clock::time_point due);

  // Takes `alarm` out unrung. False if it was not set (never, or it has
  // rung): a Ring() already under way is not undone.
  bool Cancel(Alarm& alarm);

  // Alarms set.
  size_t size() const;

  // Looks at `clock` every `every` of real time while any alarm is set, and
  // rings every alarm when it has jumped (moved more than kStepTolerance
  // away from the real time passed, or back). A clock watched already keeps
  // the shorter period. A clock that cannot tell real time (a ManualClock,
  // whose sleepers poll) is not watched. The queue holds the clock weakly.
  void Watch(const std::shared_ptr<const ::tokenwarden::Clock>& clock, Duration every);
  static constexpr Duration kStepTolerance = std::chrono::seconds(1);

  explicit AlarmQueue(const boost::asio::any_io_executor& executor) : timer_(executor) {}

 private:
  void Place(size_t i, Alarm* alarm);
  void SiftUp(size_t i);
  void SiftDown(size_t i);
  void Remove(size_t i);
  // Restores the heap's order around heap_[i], whose due time changed.
  void Resift(size_t i);
  // The timer waits for the earliest alarm (none: no wait). Under mu_.
  void Rearm();
  void OnTimer(boost::system::error_code ec);
  // Looks at the clocks due a look; true if one jumped. Under mu_.
  bool AnyClockJumped(Clock::time_point now);

  struct Watched {
    std::weak_ptr<const ::tokenwarden::Clock> clock;
    Clock::duration every;
    Clock::time_point next;     // the next look
    TimePoint seen;             // the clock's time at the last look,
    Clock::time_point seen_at;  // and the real time then
  };

  mutable std::mutex mu_;
  std::vector<Alarm*> heap_;  // earliest due first; guarded by mu_
  std::vector<Watched> watched_;  // guarded by mu_
  boost::asio::steady_timer timer_;  // guarded by mu_
  Clock::time_point armed_for_ = Clock::time_point::max();  // the wait pending; guarded by mu_
};

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_ALARM_QUEUE_H_
