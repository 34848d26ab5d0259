// The emulator: one HTTP handler that serves the fake Alliance Bank, the
// fake Nova Post and the /_emulator/ control API, with injected faults and a
// clock that can be advanced.
#ifndef TOKENWARDEN_EMULATOR_EMULATOR_H_
#define TOKENWARDEN_EMULATOR_EMULATOR_H_

#include <memory>

#include "emulator/callbacks.h"
#include "emulator/state.h"
#include "http/server.h"

namespace tokenwarden::emulator {

class Emulator {
 public:
  // `base_clock` is real or scaled; the admin API adds offsets on top.
  explicit Emulator(std::shared_ptr<Clock> base_clock);

  // The handler to serve. Thread-safe.
  http::Handler handler();
  // Answers the server's own errors (413, 431, 400) in the shape of the
  // upstream the path belongs to.
  static http::Response ServerError(int status, std::string_view message, std::string_view target);

  // For --config and --demo (and tests): direct registration.
  Status RegisterMerchant(const std::string& service_code, const nlohmann::json& public_jwk,
                          const std::string& merchant_id = "", const std::string& merchant_name = "");
  Status RegisterApiKey(const std::string& api_key);
  nlohmann::json Stats();

 private:
  boost::asio::awaitable<http::Response> Handle(http::Request request);
  http::Response Dispatch(const http::Request& request, const std::optional<Fault>& fault);

  std::shared_ptr<State> state_;
  std::unique_ptr<CallbackSender> callbacks_;  // declared after state_: stops first
};

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_EMULATOR_H_
