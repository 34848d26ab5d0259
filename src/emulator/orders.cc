#include "emulator/orders.h"

#include <algorithm>
#include <set>

#include "emulator/alliance.h"
#include "emulator/callbacks.h"
#include "emulator/request_fields.h"

namespace tokenwarden::emulator {
namespace {

// The order lives 15 minutes unless expirationTimeMinutes says otherwise:
// both examples on "Receiving order data" expire 15 minutes after creation.
constexpr auto kDefaultOrderLife = std::chrono::minutes(15);

// Field checks of "Creating an order" beside StringField (request_fields.h):
// each returns "" or the reason, naming the field.
std::string EnumField(const nlohmann::json& b, const char* name, const std::set<std::string>& allowed,
                      std::string* out) {
  std::string v;
  if (auto why = StringField(b, name, 64, true, &v); !why.empty()) return why;
  if (!allowed.count(v)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return std::string(name) + " must be one of " + list;
  }
  *out = v;
  return "";
}

// The documentation calls paymentMethods an enum and its example answers an
// array: both are read, and answered as the array.
std::string PaymentMethods(const nlohmann::json& b, std::vector<std::string>* out) {
  static const std::set<std::string> kMethods = {"APPLE_PAY", "CARD", "GOOGLE_PAY"};
  auto it = b.find("paymentMethods");
  if (it == b.end()) return "paymentMethods is required";
  nlohmann::json list = it->is_string() ? nlohmann::json::array({*it}) : *it;
  if (!list.is_array() || list.empty()) return "paymentMethods must be CARD, APPLE_PAY or GOOGLE_PAY, or a list of them";
  for (const auto& m : list) {
    if (!m.is_string() || !kMethods.count(m.get<std::string>())) {
      return "paymentMethods must be CARD, APPLE_PAY or GOOGLE_PAY, or a list of them";
    }
    out->push_back(m.get<std::string>());
  }
  return "";
}

std::string CoinAmount(const nlohmann::json& b, int64_t* out) {
  auto it = b.find("coinAmount");
  if (it == b.end()) return "coinAmount is required";
  if (!it->is_number_integer() || it->get<int64_t>() <= 0) return "coinAmount must be a whole number of kopecks above 0";
  *out = it->get<int64_t>();
  return "";
}

std::string CustomerData(const nlohmann::json& b) {
  auto it = b.find("customerData");
  if (it == b.end()) return "customerData is required";
  if (!it->is_object()) return "customerData must be an object";
  std::string id;
  if (auto why = StringField(*it, "senderCustomerId", 255, true, &id); !why.empty()) return "customerData." + why;
  return "";
}

// notificationEncryption is documented as the string "true"/"false"; a JSON
// boolean is read too.
std::string Encryption(const nlohmann::json& b, bool* out) {
  auto it = b.find("notificationEncryption");
  if (it == b.end() || it->is_null()) return "";
  if (it->is_boolean()) {
    *out = it->get<bool>();
    return "";
  }
  if (it->is_string() && (*it == "true" || *it == "false")) {
    *out = *it == "true";
    return "";
  }
  return "notificationEncryption must be \"true\" or \"false\"";
}

std::string LifeMinutes(const nlohmann::json& b, Duration* out) {
  auto it = b.find("expirationTimeMinutes");
  if (it == b.end() || it->is_null()) return "";
  if (!it->is_number_integer() || *it < 1 || *it > 9999) return "expirationTimeMinutes must be a whole number from 1 to 9999";
  *out = std::chrono::minutes(it->get<int64_t>());
  return "";
}

// Reads the request into `o`; "" or the first field at fault.
std::string ReadOrderRequest(const nlohmann::json& b, Order* o, Duration* life) {
  // statusPageType: the current page lists three values, an older version
  // of it "statusPage"; both are read.
  static const std::set<std::string> kStatusPages = {"STATUS_PAGE", "STATUS_REDIRECT_MERCHANT_PAGE",
                                                     "STATUS_TIMER_PAGE", "statusPage"};
  static const std::set<std::string> kPayTypes = {"A2A", "PURCHASE"};
  static const std::set<std::string> kDirectTypes = {"BANK_LINK", "REDIRECT"};
  std::string direct;
  for (const std::string& why :
       {StringField(b, "merchantRequestId", 36, true, &o->merchant_request_id),
        StringField(b, "merchantId", 36, true, &o->merchant_id), EnumField(b, "hppPayType", kPayTypes, &o->hpp_pay_type),
        CoinAmount(b, &o->coin_amount), PaymentMethods(b, &o->payment_methods),
        StringField(b, "successUrl", 1000, true, &o->success_url), StringField(b, "failUrl", 1000, true, &o->fail_url),
        EnumField(b, "statusPageType", kStatusPages, &o->status_page_type), CustomerData(b),
        StringField(b, "notificationUrl", 1000, false, &o->notification_url), Encryption(b, &o->notification_encryption),
        StringField(b, "language", 50, false, &o->language), StringField(b, "purpose", 255, false, &o->purpose),
        StringField(b, "merchantComment", 255, false, &o->merchant_comment), LifeMinutes(b, life),
        b.contains("directType") ? EnumField(b, "directType", kDirectTypes, &direct) : std::string()}) {
    if (!why.empty()) return why;
  }
  return "";
}

void SetStatus(State& state, Order& order, std::string status) {
  state.pending_orders.Remove(order.expires, order.hpp_order_id);  // no longer PENDING, or no-op
  order.status = std::move(status);
  if (order.notification_url.empty()) return;
  QueueCallback(state, order.service_code, order.notification_url,
                OrderJson(order, state.merchants.at(order.service_code).merchant_name));
}

}  // namespace

http::Response CreateOrder(State& state, const std::string& service_code, const nlohmann::json& body) {
  Merchant& m = state.merchants.at(service_code);
  Order order;
  Duration life = kDefaultOrderLife;
  if (std::string why = ReadOrderRequest(body, &order, &life); !why.empty()) {
    return AllianceReject(state, service_code, "b_request_is_not_correct", why);
  }
  if (!m.merchant_id.empty() && order.merchant_id != m.merchant_id) {
    return RejectOtherMerchantId(state, service_code);
  }
  SweepOrders(state);
  TimePoint now = state.clock->Now();
  order.service_code = service_code;
  order.hpp_order_id = NewBankId(now);
  order.ecom_order_id = RandomUuid();
  order.created = now;
  order.expires = now + life;
  state.order_ages.Add(order.created, order.hpp_order_id);
  state.pending_orders.Add(order.expires, order.hpp_order_id);
  auto [it, inserted] = state.orders.emplace(order.hpp_order_id, std::move(order));
  return http::Response::Json(200, OrderJson(it->second, m.merchant_name));
}

http::Response ReadOrder(State& state, const std::string& service_code, const nlohmann::json& body) {
  std::string id;
  if (std::string why = StringField(body, "hppOrderId", 64, true, &id); !why.empty()) {
    return AllianceReject(state, service_code, "b_request_is_not_correct", why);
  }
  SweepOrders(state);
  auto it = state.orders.find(id);
  if (it == state.orders.end() || it->second.service_code != service_code) {
    return AllianceReject(state, service_code, "b_hpp_order_not_found", "@The HPP order not found");
  }
  return http::Response::Json(200, OrderJson(it->second, state.merchants.at(service_code).merchant_name));
}

Status PlayPayer(State& state, const std::string& hpp_order_id, std::string_view action) {
  if (action != "pay" && action != "fail" && action != "expire") {
    return MakeError(ErrorCode::kInvalidArgument, "the payer can pay, fail or expire");
  }
  SweepOrders(state);
  auto it = state.orders.find(hpp_order_id);
  if (it == state.orders.end()) return MakeError(ErrorCode::kNotFound, "no order with that hppOrderId");
  Order& order = it->second;
  if (order.status != "PENDING") {
    return MakeError(ErrorCode::kFailedPrecondition, "the order is " + order.status + ", no longer PENDING");
  }
  if (action == "expire") {
    SetStatus(state, order, "EXPIRED");
    return OkStatus();
  }
  TimePoint now = state.clock->Now();
  Operation op{.type = "PURCHASE",
               .status = action == "pay" ? "SUCCESS" : "FAIL",
               .coin_amount = order.coin_amount,
               .operation_id = NewBankId(now),
               .ecom_operation_id = RandomUuid(),
               .merchant_request_id = order.merchant_request_id,
               .rrn = RandomDigits(10),
               .approval_code = action == "pay" ? RandomDigits(5) : "",
               .comment = "",
               .created = now};
  order.operations.push_back(std::move(op));
  SetStatus(state, order, action == "pay" ? "SUCCESS" : "FAIL");
  return OkStatus();
}

void SweepOrders(State& state) {
  TimePoint now = state.clock->Now();
  while (auto id = state.pending_orders.PopDue(now)) {
    SetStatus(state, state.orders.at(*id), "EXPIRED");
  }
  state.order_ages.Trim(state.orders, now - state.settings.order_retention, state.settings.max_orders,
                        [&](const Order& o) { state.pending_orders.Remove(o.expires, o.hpp_order_id); });
}

}  // namespace tokenwarden::emulator
