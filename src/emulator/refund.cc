#include "emulator/refund.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "emulator/alliance.h"
#include "emulator/callbacks.h"
#include "emulator/request_fields.h"
#include "jose/jwe.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

struct RefundRequest {
  std::string merchant_request_id, merchant_id, operation_id, notification_url, comment;
  int64_t coin_amount = 0;
};

// The compact JWE of the body: {"jwe": ...} or the bare token; `object`
// says whether the body was a JSON object (one without a jwe is a request
// in the wrong shape, anything else one that does not parse).
struct RefundBody {
  std::string jwe;
  bool object = false;
};

RefundBody ReadBody(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) return {StringOrEmpty(j, "jwe"), true};
  std::string bare = body;
  while (!bare.empty() && std::isspace(static_cast<unsigned char>(bare.back()))) bare.pop_back();
  return {std::count(bare.begin(), bare.end(), '.') == 4 ? bare : "", false};
}

// coinAmount is documented as a string ("2000"); a JSON integer is read too.
std::string Amount(const nlohmann::json& p, int64_t* out) {
  auto it = p.find("coinAmount");
  if (it == p.end()) return "coinAmount is required";
  std::string text = it->is_string() ? it->get<std::string>() : it->is_number_integer() ? it->dump() : "";
  if (text.empty() || text.size() > 15 || text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoll(text) <= 0) {
    return "coinAmount must be a whole number of kopecks above 0";
  }
  *out = std::stoll(text);
  return "";
}

std::string Date(const nlohmann::json& p) {
  std::string date;
  if (auto why = StringField(p, "date", 64, true, &date); !why.empty()) return why;
  return ParseTimestamp(date).ok() ? "" : "date must be a date and time such as 2025-02-27T14:12:34.00+02:00";
}

std::string Read(const nlohmann::json& p, RefundRequest* r) {
  for (const std::string& why : {StringField(p, "merchantRequestId", 36, true, &r->merchant_request_id),
                                 StringField(p, "merchantId", 36, true, &r->merchant_id),
                                 StringField(p, "operationId", 64, true, &r->operation_id),
                                 Amount(p, &r->coin_amount), Date(p),
                                 StringField(p, "notificationUrl", 1000, false, &r->notification_url),
                                 StringField(p, "merchantComment", 255, false, &r->comment)}) {
    if (!why.empty()) return why;
  }
  return "";
}

// The operation of this merchant, of any kind or status, whose id is
// `operation_id`, with its order; {nullptr, nullptr} when there is none.
std::pair<Order*, const Operation*> FindOperation(State& state, const std::string& service_code,
                                                  const std::string& operation_id) {
  for (auto& [id, order] : state.orders) {
    if (order.service_code != service_code) continue;
    for (const Operation& op : order.operations) {
      if (op.operation_id == operation_id) return {&order, &op};
    }
  }
  return {nullptr, nullptr};
}

}  // namespace

http::Response Refund(State& state, AllianceSession& session, const http::Request& request) {
  const std::string& code = session.service_code;
  Merchant& m = state.merchants.at(code);
  RefundBody body = ReadBody(request.body);
  if (body.jwe.empty()) {
    return AllianceReject(state, code, body.object ? "b_request_is_not_correct" : "b_error_parse_json",
                          std::string(body.object ? "" : "JSON parse error: ") +
                              "the body must be {\"jwe\": \"<compact JWE>\"}");
  }
  auto plain = jose::DecryptCompact(body.jwe, *session.server_key);
  if (!plain.ok()) {
    return AllianceReject(state, code, "b_encryptor_failed_decrypt_message",
                          "Failed to decrypt message: the JWE does not decrypt with this session's serverPublic");
  }
  auto payload = nlohmann::json::parse(plain->plaintext.reveal(), nullptr, false);
  if (!payload.is_object()) {
    return AllianceReject(state, code, "b_error_parse_json", "JSON parse error: the JWE payload must be a JSON object");
  }
  RefundRequest r;
  if (std::string why = Read(payload, &r); !why.empty()) {
    return AllianceReject(state, code, "b_request_is_not_correct", why);
  }
  if (!m.merchant_id.empty() && r.merchant_id != m.merchant_id) {
    return RejectOtherMerchantId(state, code);
  }
  auto [order, op] = FindOperation(state, code, r.operation_id);
  if (op == nullptr) return AllianceReject(state, code, "b_operation_not_found", "@Operation not found");
  if (op != order->Purchase()) {
    return AllianceReject(state, code, "b_payment_invalid_refund_status",
                          "@Payment invalid refund status: that operationId is not a successful payment");
  }
  if (r.coin_amount > order->Refundable()) {
    return AllianceReject(state, code, "b_payment_invalid_refund_amount",
                          "@Payment invalid refund amount: coinAmount exceeds what is left to refund (" +
                              std::to_string(order->Refundable()) + ")");
  }
  TimePoint now = state.clock->Now();
  order->operations.push_back({.type = "REFUND",
                               .status = "SUCCESS",
                               .coin_amount = r.coin_amount,
                               .operation_id = NewBankId(now),
                               .ecom_operation_id = RandomUuid(),
                               .merchant_request_id = r.merchant_request_id,
                               .rrn = RandomDigits(10),
                               .approval_code = RandomDigits(5),
                               .comment = r.comment,
                               .created = now});
  nlohmann::json answer = OperationJson(*order, order->operations.back(), m.merchant_name);
  const std::string& url = r.notification_url.empty() ? order->notification_url : r.notification_url;
  if (!url.empty()) QueueCallback(state, code, url, answer);
  auto sealed = jose::EncryptCompact(answer.dump(), m.client_public);
  if (!sealed.ok()) return AllianceError(500, "b_internal_error", "encryption failed");
  return http::Response::Json(200, {{"jwe", *sealed}});
}

}  // namespace tokenwarden::emulator
