// Reading one operation back, as the bank's "Getting data" pages document
// it (ecomalb/ecom-docs, platizhni-metodi-h2h/otrimannya-danikh/): by its
// operationId or by the merchantRequestId it was made with. The answer is
// the operation alone, not its order.
#ifndef TOKENWARDEN_EMULATOR_OPERATION_LOOKUP_H_
#define TOKENWARDEN_EMULATOR_OPERATION_LOOKUP_H_

#include <string>

#include "emulator/state.h"
#include "http/message.h"

namespace tokenwarden::emulator {

// POST /ecom/execute_request/payments/v1/operations {"id": <operationId>}.
// An unknown id, or another merchant's, is payment_operation_not_found (404).
// REQUIRES: state.mu held; the session checked; `body` an object.
http::Response ReadOperationById(State& state, const std::string& service_code, const nlohmann::json& body);

// POST /ecom/execute_request/payments/v1/operation/by_merchant_request_id
// {"merchantRequestId"}: the newest operation of this merchant made with
// it (a purchase carries its order's, a refund its own). An order nobody
// has paid yet has no operation: payment_operation_not_found.
// REQUIRES: as ReadOperationById.
http::Response ReadOperationByMerchantRequestId(State& state, const std::string& service_code,
                                                const nlohmann::json& body);

// The operation as the lookup pages show it: the fields of OperationJson,
// and the ones only these pages give: hppOrderId (the PURCHASE example),
// createDateTime and modificationDateTime in their "2024.09.19
// 15:29:25.675" shape, and for a refund originalOperationId and
// originalCoinAmount (the purchase it returns).
nlohmann::json LookupJson(const Order& order, const Operation& op, const std::string& merchant_name);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_OPERATION_LOOKUP_H_
