#include "emulator/order.h"

#include <openssl/rand.h>

#include "emulator/state.h"
#include "jose/base64url.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

// Where the payer would go; the reserved .invalid domain keeps every
// client's follow-up off the real bank. The query has the documented shape.
constexpr std::string_view kPayPage = "https://pgi-ecom.emulator.invalid/?hpp_id=";
constexpr std::string_view kStatusPage = "https://pgi-status-ecom.emulator.invalid/?hpp_id=";

// The bank's examples show transactionType "35" on a purchase; no page
// found gives the code of a refund, so a refund carries none.
constexpr std::string_view kPurchaseTransactionType = "35";
constexpr std::string_view kHryvniaIsoCode = "980";

}  // namespace

int64_t Order::Refundable() const {
  int64_t paid = 0, refunded = 0;
  for (const auto& op : operations) {
    if (op.status != "SUCCESS") continue;
    if (op.type == "PURCHASE") paid += op.coin_amount;
    if (op.type == "REFUND") refunded += op.coin_amount;
  }
  return paid - refunded;
}

const Operation* Order::Purchase() const {
  for (const auto& op : operations) {
    if (op.type == "PURCHASE" && op.status == "SUCCESS") return &op;
  }
  return nullptr;
}

std::string NewBankId(TimePoint now) {
  unsigned char raw[9];
  RAND_bytes(raw, sizeof raw);
  std::string tail = jose::Base64UrlEncode(std::string_view(reinterpret_cast<char*>(raw), sizeof raw));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return std::to_string(ms) + tail.substr(0, 11);
}

std::string RandomDigits(size_t n) {
  std::string hex = RandomHex(n);
  std::string out;
  for (size_t i = 0; i < n; ++i) out += static_cast<char>('0' + std::stoi(hex.substr(2 * i, 2), nullptr, 16) % 10);
  return out;
}

nlohmann::json OperationJson(const Order& order, const Operation& op, const std::string& merchant_name) {
  nlohmann::json j = {{"type", op.type},
                      {"rrn", op.rrn},
                      {"coinAmount", op.coin_amount},
                      {"merchantId", order.merchant_id},
                      {"operationId", op.operation_id},
                      {"ecomOperationId", op.ecom_operation_id},
                      {"merchantName", merchant_name},
                      {"status", op.status},
                      {"merchantRequestId", op.merchant_request_id},
                      {"transactionCurrency", kHryvniaIsoCode},
                      {"merchantCommission", "0"},
                      {"createDateTime", FormatBankOrderKyiv(op.created)}};
  if (!op.approval_code.empty()) j["approvalCode"] = op.approval_code;  // a failed purchase has none
  if (op.type == "PURCHASE") j["transactionType"] = kPurchaseTransactionType;
  if (!order.purpose.empty()) j["purpose"] = order.purpose;
  const std::string& comment = op.type == "REFUND" ? op.comment : order.merchant_comment;
  if (!comment.empty()) j["comment"] = comment;
  return j;
}

nlohmann::json OrderJson(const Order& order, const std::string& merchant_name) {
  nlohmann::json ops = nlohmann::json::array();
  for (const auto& op : order.operations) ops.push_back(OperationJson(order, op, merchant_name));
  nlohmann::json j = {{"coinAmount", order.coin_amount},
                      {"ecomOrderId", order.ecom_order_id},
                      {"statusUrl", std::string(kStatusPage) + order.hpp_order_id},
                      {"merchantId", order.merchant_id},
                      {"hppOrderId", order.hpp_order_id},
                      {"redirectUrl", std::string(kPayPage) + order.hpp_order_id},
                      {"hppPayType", order.hpp_pay_type},
                      {"merchantRequestId", order.merchant_request_id},
                      {"expiredOrderDate", FormatBankOrderKyiv(order.expires)},
                      {"orderStatus", order.status},
                      {"paymentMethods", order.payment_methods},
                      {"createDate", FormatBankOrderKyiv(order.created)},
                      {"operations", ops}};
  if (!order.notification_url.empty()) j["notificationUrl"] = order.notification_url;
  return j;
}

}  // namespace tokenwarden::emulator
