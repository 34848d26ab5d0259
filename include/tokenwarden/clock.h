// Clocks. Every expiry and scheduling decision in tokenwarden reads time from
// a Clock passed in, so that tests and the demo can run 24-hour sessions or
// 200 days of inactivity in seconds.
#ifndef TOKENWARDEN_CLOCK_H_
#define TOKENWARDEN_CLOCK_H_

#include <atomic>
#include <chrono>
#include <memory>

namespace tokenwarden {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::system_clock::duration;

// Thread-safety: every Clock is safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  // The current simulated (or real) wall-clock time.
  virtual TimePoint Now() const = 0;
  // How much real time passes while `simulated` passes on this clock; a
  // scheduler sleeps this long. Never negative.
  virtual Duration RealDuration(Duration simulated) const = 0;
};

// The system's wall clock.
std::shared_ptr<Clock> MakeRealClock();

// now = origin + (real_now - origin) * scale. Two processes given the same
// origin and scale agree on the time without talking to each other.
// REQUIRES: scale > 0.
std::shared_ptr<Clock> MakeScaledClock(TimePoint origin, double scale);

// A clock that moves only when told to. For tests.
class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint start);
  TimePoint Now() const override;
  // Real sleeps on a manual clock are zero: time moves only by Advance().
  Duration RealDuration(Duration simulated) const override;
  void Advance(Duration d);
  void Set(TimePoint t);

 private:
  std::atomic<TimePoint::rep> now_;
};

// Wraps another clock and adds an offset that can grow at run time (the
// emulator's "advance the clock" control).
class OffsetClock : public Clock {
 public:
  explicit OffsetClock(std::shared_ptr<Clock> base);
  TimePoint Now() const override;
  Duration RealDuration(Duration simulated) const override;
  void Advance(Duration d);
  Duration offset() const;

 private:
  std::shared_ptr<Clock> base_;
  std::atomic<Duration::rep> offset_{0};
};

// Unix seconds of a time point (floor).
inline long long ToUnixSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline TimePoint FromUnixSeconds(long long s) {
  return TimePoint(std::chrono::seconds(s));
}

}  // namespace tokenwarden

#endif  // TOKENWARDEN_CLOCK_H_
