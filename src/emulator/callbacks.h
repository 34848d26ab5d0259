// The bank's callbacks: on each status change the emulator POSTs the
// documented body to the notificationUrl, and resends it while the answer
// is not 200 OK: after 5 s, 30 s, 5 min, 30 min and 1 h of emulator time,
// as "Callback" documents. Only http:// on loopback is ever contacted; any
// other URL is counted as refused and never sent.
#ifndef TOKENWARDEN_EMULATOR_CALLBACKS_H_
#define TOKENWARDEN_EMULATOR_CALLBACKS_H_

#include <memory>
#include <string>
#include <thread>

#include "emulator/state.h"

namespace tokenwarden::emulator {

// Queues a callback due now; past Settings::max_pending_callbacks it is
// dropped and counted instead. REQUIRES: state.mu held.
void QueueCallback(State& state, const std::string& service_code, const std::string& url, const nlohmann::json& body);

// Callbacks waiting for an attempt, of one merchant. REQUIRES: state.mu held.
size_t PendingCallbacks(const State& state, const std::string& service_code);

// Delivers due callbacks on a thread of its own (never holding state.mu
// during a call), and moves time-driven order statuses on (SweepOrders)
// while the emulator is idle.
// Thread-safety: construct and destroy on one thread; the destructor
// stops and joins.
class CallbackSender {
 public:
  explicit CallbackSender(std::shared_ptr<State> state);
  ~CallbackSender();
  CallbackSender(const CallbackSender&) = delete;
  CallbackSender& operator=(const CallbackSender&) = delete;

 private:
  void Run(std::stop_token stop);
  void Deliver(Callback callback);

  std::shared_ptr<State> state_;
  std::jthread thread_;
};

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_CALLBACKS_H_
