// One deadline per connection, for the HTTP server and client alike.
//
// Rather than a timer armed and cancelled around every read and write (what
// beast::basic_stream does: two handlers more per operation, on every
// request), an operation only moves the deadline. One timer per connection
// wakes when the deadline it was armed for passes: it closes the socket if
// the deadline has not moved since (the pending operation ends with
// operation_aborted), else waits for the new one. Moving the deadline costs
// nothing unless it comes sooner.
//
// A step (the server's whole session; the client's handshake or exchange)
// runs on one executor, but a pooled client connection moves between strands
// from one request to the next. The timer's handler therefore runs on the
// executor given to Arm, beside the step's reads and writes, so it never races
// them; a handler left over from an earlier step sees the generation moved on
// and touches nothing but that atomic. Handlers hold the watchdog by
// shared_ptr: it may outlive its connection.
#ifndef TOKENWARDEN_HTTP_WATCHDOG_H_
#define TOKENWARDEN_HTTP_WATCHDOG_H_

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

namespace tokenwarden::http {

// Thread-safety: Arm, Move, Disarm and Explain are called on the executor of
// the step under way; Disarm also from a thread that owns the idle connection.
template <class Socket>
class Watchdog : public std::enable_shared_from_this<Watchdog<Socket>> {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::time_point kNever = Clock::time_point::max();

  explicit Watchdog(Socket& socket) : socket_(&socket), timer_(socket.get_executor()) {}

  // Starts a step on `executor` (the calling coroutine's) that must end by
  // `deadline`.
  void Arm(const boost::asio::any_io_executor& executor, Clock::time_point deadline) {
    executor_ = executor;
    deadline_ = deadline;
    fired_ = false;
    generation_.fetch_add(1, std::memory_order_relaxed);
    timer_.expires_at(deadline);  // cancels a wait left from the last step
    Wait();
  }

  // Gives the step under way a new deadline (kNever: none, while a handler
  // works on a request).
  void Move(Clock::time_point deadline) {
    bool sooner = deadline < timer_.expiry();
    deadline_ = deadline;
    if (!sooner) return;  // the timer wakes first and waits on
    generation_.fetch_add(1, std::memory_order_relaxed);
    timer_.expires_at(deadline);
    Wait();
  }

  // Ends the step: nothing is cut off until the next Arm.
  void Disarm() {
    generation_.fetch_add(1, std::memory_order_relaxed);
    timer_.cancel();
  }

  // Whether the step timed out; its operation's error reads as a timeout.
  boost::system::error_code Explain(boost::system::error_code ec) const {
    return ec && fired_ ? boost::beast::error::timeout : ec;
  }

 private:
  void Wait() {
    timer_.async_wait(boost::asio::bind_executor(
        executor_, [self = this->shared_from_this(), generation = generation_.load(std::memory_order_relaxed)](
                       boost::system::error_code ec) { self->OnTimer(generation, ec); }));
  }

  void OnTimer(uint64_t generation, boost::system::error_code ec) {
    // A step that ended (or moved its deadline sooner) left this wait behind.
    if (ec || generation != generation_.load(std::memory_order_relaxed)) return;
    if (Clock::now() < deadline_) {  // moved later: wait for the new deadline
      timer_.expires_at(deadline_);
      Wait();
      return;
    }
    fired_ = true;
    boost::system::error_code ignored;
    socket_->close(ignored);
  }

  Socket* socket_;
  boost::asio::steady_timer timer_;
  std::atomic<uint64_t> generation_{0};
  // Touched only on the executor of the step under way.
  boost::asio::any_io_executor executor_;
  Clock::time_point deadline_ = kNever;
  bool fired_ = false;
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_WATCHDOG_H_
