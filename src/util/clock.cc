#include "tokenwarden/clock.h"

#include <cmath>

namespace tokenwarden {
namespace {

class RealClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  Duration RealDuration(Duration simulated) const override {
    return simulated.count() < 0 ? Duration::zero() : simulated;
  }
};

class ScaledClock : public Clock {
 public:
  ScaledClock(TimePoint origin, double scale) : origin_(origin), scale_(scale) {}

  TimePoint Now() const override {
    auto real = std::chrono::system_clock::now() - origin_;
    auto scaled = static_cast<Duration::rep>(std::llround(
        static_cast<long double>(real.count()) * static_cast<long double>(scale_)));
    return origin_ + Duration(scaled);
  }

  Duration RealDuration(Duration simulated) const override {
    if (simulated.count() <= 0) return Duration::zero();
    return Duration(static_cast<Duration::rep>(
        std::ceil(static_cast<long double>(simulated.count()) / scale_)));
  }

 private:
  TimePoint origin_;
  double scale_;
};

}  // namespace

std::shared_ptr<Clock> MakeRealClock() { return std::make_shared<RealClock>(); }

std::shared_ptr<Clock> MakeScaledClock(TimePoint origin, double scale) {
  return std::make_shared<ScaledClock>(origin, scale > 0 ? scale : 1.0);
}

ManualClock::ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}

TimePoint ManualClock::Now() const { return TimePoint(Duration(now_.load())); }

Duration ManualClock::RealDuration(Duration) const { return Duration::zero(); }

void ManualClock::Advance(Duration d) { now_.fetch_add(d.count()); }

void ManualClock::Set(TimePoint t) { now_.store(t.time_since_epoch().count()); }

OffsetClock::OffsetClock(std::shared_ptr<Clock> base) : base_(std::move(base)) {}

TimePoint OffsetClock::Now() const { return base_->Now() + offset(); }

Duration OffsetClock::RealDuration(Duration simulated) const {
  return base_->RealDuration(simulated);
}

void OffsetClock::Advance(Duration d) { offset_.fetch_add(d.count()); }

Duration OffsetClock::offset() const { return Duration(offset_.load()); }

}  // namespace tokenwarden
