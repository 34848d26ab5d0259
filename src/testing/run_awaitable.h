// Test support: runs one coroutine to completion on a given io_context.
#ifndef TOKENWARDEN_TESTING_RUN_AWAITABLE_H_
#define TOKENWARDEN_TESTING_RUN_AWAITABLE_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>

namespace tokenwarden::testing {

template <class T>
boost::asio::awaitable<void> StoreResult(std::optional<T>* out,
                                         boost::asio::awaitable<T> work) {
  out->emplace(co_await std::move(work));
}

// The io_context must outlive anything the coroutine leaves behind (an HTTP
// client's pooled connections), so the caller owns it.
template <class T>
T RunAwaitable(boost::asio::io_context& ioc, boost::asio::awaitable<T> work) {
  std::optional<T> out;
  std::exception_ptr failure;
  // Through a void coroutine: co_spawn wants a default-constructible T.
  boost::asio::co_spawn(ioc, StoreResult(&out, std::move(work)),
                        [&](std::exception_ptr e) { failure = e; });
  ioc.restart();
  ioc.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*out);
}

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_RUN_AWAITABLE_H_
