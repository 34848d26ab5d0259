#include "session/alarm_queue.h"

#include <boost/asio/error.hpp>
#include <algorithm>

namespace tokenwarden::session {

std::shared_ptr<AlarmQueue> AlarmQueue::Make(const boost::asio::any_io_executor& executor) {
  return std::make_shared<AlarmQueue>(executor);
}

void AlarmQueue::Set(Alarm& alarm, Clock::time_point due) {
  std::lock_guard lock(mu_);
  alarm.due_ = due;
  if (alarm.index_ == Alarm::kNotSet) {
    heap_.push_back(&alarm);
    alarm.index_ = heap_.size() - 1;
  }
  Resift(alarm.index_);
  Rearm();
}

bool AlarmQueue::Cancel(Alarm& alarm) {
  std::lock_guard lock(mu_);
  if (alarm.index_ == Alarm::kNotSet) return false;
  Remove(alarm.index_);
  Rearm();
  return true;
}

size_t AlarmQueue::size() const {
  std::lock_guard lock(mu_);
  return heap_.size();
}

void AlarmQueue::Watch(const std::shared_ptr<const ::tokenwarden::Clock>& clock, Duration every) {
  if (!clock || clock->RealDuration(std::chrono::hours(1)) <= Duration::zero()) return;
  auto period = std::max<Clock::duration>(std::chrono::duration_cast<Clock::duration>(every), std::chrono::milliseconds(1));
  std::lock_guard lock(mu_);
  std::erase_if(watched_, [](const Watched& w) { return w.clock.expired(); });
  Clock::time_point now = Clock::now();
  for (Watched& w : watched_) {
    if (w.clock.lock() != clock) continue;
    if (period < w.every) {
      w.every = period;
      w.next = std::min(w.next, now + period);
      Rearm();
    }
    return;
  }
  watched_.push_back(Watched{clock, period, now + period, clock->Now(), now});
  Rearm();
}

bool AlarmQueue::AnyClockJumped(Clock::time_point now) {
  bool jumped = false;
  for (Watched& w : watched_) {
    if (w.next > now) continue;
    w.next = now + w.every;
    auto clock = w.clock.lock();
    if (!clock) continue;  // dropped at the next Watch
    TimePoint seen = clock->Now();
    Duration moved = seen - w.seen;
    Duration passed = std::chrono::duration_cast<Duration>(now - w.seen_at);
    if (moved < Duration::zero()) {
      jumped = true;
    } else {
      Duration expected = clock->RealDuration(moved);
      jumped = jumped || expected - passed > kStepTolerance || passed - expected > kStepTolerance;
    }
    w.seen = seen;
    w.seen_at = now;
  }
  return jumped;
}

void AlarmQueue::Place(size_t i, Alarm* alarm) {
  heap_[i] = alarm;
  alarm->index_ = i;
}

void AlarmQueue::SiftUp(size_t i) {
  Alarm* moving = heap_[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!(moving->due_ < heap_[parent]->due_)) break;
    Place(i, heap_[parent]);
    i = parent;
  }
  Place(i, moving);
}

void AlarmQueue::SiftDown(size_t i) {
  Alarm* moving = heap_[i];
  size_t n = heap_.size();
  while (true) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->due_ < heap_[child]->due_) ++child;
    if (!(heap_[child]->due_ < moving->due_)) break;
    Place(i, heap_[child]);
    i = child;
  }
  Place(i, moving);
}

void AlarmQueue::Remove(size_t i) {
  heap_[i]->index_ = Alarm::kNotSet;
  Alarm* last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;  // it was the last one
  Place(i, last);
  Resift(i);
}

void AlarmQueue::Resift(size_t i) {
  Alarm* moving = heap_[i];
  SiftUp(i);
  SiftDown(moving->index_);
}

void AlarmQueue::Rearm() {
  if (heap_.empty()) {
    // Nothing to wait for: let the io_context run out of work.
    if (armed_for_ != Clock::time_point::max()) {
      timer_.cancel();
      armed_for_ = Clock::time_point::max();
    }
    return;
  }
  Clock::time_point due = heap_.front()->due_;
  for (const Watched& w : watched_) due = std::min(due, w.next);
  if (due >= armed_for_) return;  // the wait pending wakes first and arms the next
  armed_for_ = due;
  timer_.expires_at(due);  // cancels the wait pending, if any
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock()) self->OnTimer(ec);
  });
}

void AlarmQueue::OnTimer(boost::system::error_code ec) {
  // A wait replaced by a sooner one, or no longer needed.
  if (ec == boost::asio::error::operation_aborted) return;
  std::lock_guard lock(mu_);
  Clock::time_point now = Clock::now();
  // A clock that jumped makes every alarm due: its sleepers look again.
  bool all = AnyClockJumped(now);
  while (!heap_.empty() && (all || heap_.front()->due_ <= now)) {
    Alarm* due = heap_.front();
    Remove(0);
    due->Ring();
  }
  // This wait is over; a sooner one set since is replaced, which is harmless.
  armed_for_ = Clock::time_point::max();
  Rearm();
}

}  // namespace tokenwarden::session
