#include "emulator/operation_lookup.h"

#include <functional>

#include "emulator/alliance.h"
#include "emulator/orders.h"
#include "emulator/request_fields.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

// Both pages give ids no length; the longest id the emulator issues or
// accepts elsewhere is 64 characters.
constexpr size_t kMostIdChars = 64;

// Looks up the newest operation of the merchant that `match` accepts, and
// answers it, or payment_operation_not_found; `field` names the request's id.
http::Response Answer(State& state, const std::string& service_code, const nlohmann::json& body, const char* field,
                      const std::function<bool(const Operation&, const std::string&)>& match) {
  std::string id;
  if (std::string why = StringField(body, field, kMostIdChars, true, &id); !why.empty()) {
    return AllianceReject(state, service_code, "b_request_is_not_correct", why);
  }
  SweepOrders(state);
  const Order* found_order = nullptr;
  const Operation* found = nullptr;
  for (const auto& [hpp_id, order] : state.orders) {
    if (order.service_code != service_code) continue;
    for (const auto& op : order.operations) {
      if (match(op, id) && (found == nullptr || op.created >= found->created)) {
        found_order = &order;
        found = &op;
      }
    }
  }
  if (found == nullptr) {
    return AllianceReject(state, service_code, "payment_operation_not_found", "@Payment operation is not found.");
  }
  return http::Response::Json(200, LookupJson(*found_order, *found, state.merchants.at(service_code).merchant_name));
}

}  // namespace

nlohmann::json LookupJson(const Order& order, const Operation& op, const std::string& merchant_name) {
  nlohmann::json j = OperationJson(order, op, merchant_name);
  j["hppOrderId"] = order.hpp_order_id;
  // An operation never changes once made here: it was last modified when
  // it was created.
  j["createDateTime"] = FormatBankLocalKyiv(op.created);
  j["modificationDateTime"] = FormatBankLocalKyiv(op.created);
  if (const Operation* purchase = order.Purchase(); op.type == "REFUND" && purchase != nullptr) {
    j["originalOperationId"] = purchase->operation_id;
    j["originalCoinAmount"] = purchase->coin_amount;
  }
  return j;
}

http::Response ReadOperationById(State& state, const std::string& service_code, const nlohmann::json& body) {
  return Answer(state, service_code, body, "id",
                [](const Operation& op, const std::string& id) { return op.operation_id == id; });
}

http::Response ReadOperationByMerchantRequestId(State& state, const std::string& service_code,
                                                const nlohmann::json& body) {
  return Answer(state, service_code, body, "merchantRequestId",
                [](const Operation& op, const std::string& id) { return op.merchant_request_id == id; });
}

}  // namespace tokenwarden::emulator
