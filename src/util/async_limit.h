// At most N holders at once across coroutines and handlers on any
// executors; the others wait in line (first come, first served) without
// polling. An agent with thousands of accounts uses one to authorize a
// bounded number at a time, and its HTTP client one to bound the exchanges
// under way.
#ifndef TOKENWARDEN_UTIL_ASYNC_LIMIT_H_
#define TOKENWARDEN_UTIL_ASYNC_LIMIT_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace tokenwarden {

class AsyncLimit {
 public:
  explicit AsyncLimit(int max) : max_(max) {}
  AsyncLimit(const AsyncLimit&) = delete;
  AsyncLimit& operator=(const AsyncLimit&) = delete;

  // Returns holding a place; give it back with Release() (or hold a
  // Place). A waiter is woken on its own executor, which must run one
  // handler at a time (a strand, or a single-threaded io_context).
  boost::asio::awaitable<void> Acquire() {
    std::shared_ptr<boost::asio::steady_timer> timer;
    {
      std::lock_guard lock(mu_);
      if (used_ < max_) {
        ++used_;
        co_return;
      }
      timer = std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor,
                                                          boost::asio::steady_timer::time_point::max());
      // Release() hands this waiter its place by moving the timer's expiry
      // to the past on the waiter's executor: that wakes a pending wait, and
      // a wait begun after it completes at once.
      waiters_.push_back([timer] {
        boost::asio::post(timer->get_executor(),
                          [timer] { timer->expires_at(boost::asio::steady_timer::time_point::min()); });
      });
    }
    boost::system::error_code ec;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }

  // Takes a place if one is free, at once; false otherwise (and nothing held).
  // Lets a caller skip the coroutine of Acquire() when it need not wait.
  bool TryAcquire() {
    std::lock_guard lock(mu_);
    if (used_ >= max_) return false;
    ++used_;
    return true;
  }

  // Runs `granted` on `executor` once holding a place (at once if one is
  // free). A waiter costs its handler, not a suspended coroutine: what a
  // burst of thousands of waiting accounts can afford.
  template <class Executor, class Handler>
  void AcquireThen(const Executor& executor, Handler granted) {
    {
      std::lock_guard lock(mu_);
      if (used_ >= max_) {
        waiters_.push_back([executor, granted = std::move(granted)]() mutable {
          boost::asio::post(executor, std::move(granted));
        });
        return;
      }
      ++used_;
    }
    boost::asio::post(executor, std::move(granted));
  }

  void Release() {
    std::function<void()> next;
    {
      std::lock_guard lock(mu_);
      if (waiters_.empty()) {
        --used_;
        return;
      }
      next = std::move(waiters_.front());  // the place passes to it
      waiters_.pop_front();
    }
    next();
  }

  // Gives a place back when it goes out of scope.
  class Place {
   public:
    explicit Place(AsyncLimit* limit) : limit_(limit) {}
    Place(const Place&) = delete;
    Place& operator=(const Place&) = delete;
    ~Place() {
      if (limit_) limit_->Release();
    }

   private:
    AsyncLimit* limit_;
  };

 private:
  const int max_;
  std::mutex mu_;
  int used_ = 0;
  std::deque<std::function<void()>> waiters_;  // each hands its waiter the place
};

}  // namespace tokenwarden

#endif  // TOKENWARDEN_UTIL_ASYNC_LIMIT_H_
