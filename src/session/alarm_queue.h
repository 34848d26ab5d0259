// One timer for many sleepers. Every account's TokenManager sleeps between
// turns (a minute at most at a time). With a steady_timer of its own and
// that timer's pending wait, a sleeper held about 300 B (112 B of timer,
// 169 B of wait operation, the timer queue's entry): a sixth of what an
// account costs at 100,000 accounts. Here a sleeper embeds an Alarm (a
// deadline and a heap index) and the queue holds one pointer to it.
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

  mutable std::mutex mu_;
  std::vector<Alarm*> heap_;  // earliest due first; guarded by mu_
  boost::asio::steady_timer timer_;  // guarded by mu_
  Clock::time_point armed_for_ = Clock::time_point::max();  // the wait pending; guarded by mu_
};

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_ALARM_QUEUE_H_
