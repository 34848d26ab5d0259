// The fake Alliance Bank: authorize_virtual_device and the protected
// e-commerce calls, with the documented error codes.
#ifndef TOKENWARDEN_EMULATOR_ALLIANCE_H_
#define TOKENWARDEN_EMULATOR_ALLIANCE_H_

#include <string>
#include <string_view>

#include "emulator/state.h"
#include "http/message.h"

namespace tokenwarden::emulator {

// The bank's error body: {"requestId","serviceId":"api-gateway","msgCode",
// "msgType":"ERROR","msgText","isLocalized":false,"msgAttrs":{},"errorCauses":[]}.
http::Response AllianceError(int status, std::string_view msg_code, std::string_view text);

// The HTTP status the documentation gives a msgCode; 200 where it gives
// none (the bank answers most errors with 200 and an error body).
int DocumentedStatus(std::string_view msg_code);

// Counts a rejection against the merchant (when known) and answers the
// error with its documented status. REQUIRES: state.mu held.
http::Response AllianceReject(State& state, const std::string& service_code, std::string_view msg_code,
                              std::string_view text);

// b_user_merchant_request_mismatch: a request (create-order, refund) whose
// merchantId is not the one the merchant was registered with.
// REQUIRES: state.mu held.
http::Response RejectOtherMerchantId(State& state, const std::string& service_code);

// POST /api-gateway/authorize_virtual_device. `wrong_key` encrypts the
// answer to a random key instead of the merchant's (a fault).
// REQUIRES: state.mu held.
http::Response AllianceAuthorize(State& state, const http::Request& request, bool wrong_key);

// The protected calls under /ecom/execute_request/: every one needs the
// session headers (a stale or foreign session gets the documented session
// errors), then create-order, operations (orders.h), payments/v3/refund
// (refund.h), the operation lookups (operation_lookup.h) and ecom_balance.
// REQUIRES: state.mu held.
http::Response AllianceCall(State& state, const http::Request& request);

bool IsAlliancePath(std::string_view path);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_ALLIANCE_H_
