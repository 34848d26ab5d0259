// The HPP order calls of the fake Alliance Bank: create-order and reading
// the order back, the payer's moves (from the admin API) and the sweep that
// expires unpaid orders and forgets old ones.
#ifndef TOKENWARDEN_EMULATOR_ORDERS_H_
#define TOKENWARDEN_EMULATOR_ORDERS_H_

#include <string>
#include <string_view>

#include "emulator/state.h"
#include "http/message.h"

namespace tokenwarden::emulator {

// POST /ecom/execute_request/hpp/v1/create-order: checks every mandatory
// field of "Creating an order" (an error names the field) and answers the
// order. REQUIRES: state.mu held; the session checked; `body` an object.
http::Response CreateOrder(State& state, const std::string& service_code, const nlohmann::json& body);

// POST /ecom/execute_request/hpp/v1/operations {"hppOrderId"}: the order
// with its operations. Another merchant's order is not found.
// REQUIRES: as CreateOrder.
http::Response ReadOrder(State& state, const std::string& service_code, const nlohmann::json& body);

// The payer's move on a PENDING order: "pay" (a successful purchase),
// "fail" (a failed one) or "expire". Queues the callback. Errors:
// kNotFound, kInvalidArgument (unknown action), kFailedPrecondition (the
// order is no longer PENDING). REQUIRES: state.mu held.
Status PlayPayer(State& state, const std::string& hpp_order_id, std::string_view action);

// Expires PENDING orders past their expiredOrderDate (queuing their
// callbacks), forgets orders past Settings::order_retention and, past
// Settings::max_orders, the oldest. REQUIRES: state.mu held.
void SweepOrders(State& state);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_ORDERS_H_
