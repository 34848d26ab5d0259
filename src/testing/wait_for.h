// Test support: polling a condition in real time, for tests that watch
// another thread or process reach a state.
#ifndef TOKENWARDEN_TESTING_WAIT_FOR_H_
#define TOKENWARDEN_TESTING_WAIT_FOR_H_

#include <chrono>
#include <thread>

namespace tokenwarden::testing {

// Polls `f` every 50 ms until it returns true or `limit` passes.
template <typename F>
bool WaitFor(F f, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_WAIT_FOR_H_
