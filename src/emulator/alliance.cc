#include "emulator/alliance.h"

#include "emulator/operation_lookup.h"
#include "emulator/orders.h"
#include "emulator/refund.h"
#include "jose/jwe.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

constexpr std::string_view kAuthorizePath = "/api-gateway/authorize_virtual_device";
constexpr std::string_view kCallPrefix = "/ecom/execute_request/";

bool ApiVersionOk(const http::Request& r) {
  auto v = r.header("x-api_version");
  return v && (*v == "1" || *v == "v1" || *v == "V1");
}

// Every refusal AllianceReject has counted against the merchant.
uint64_t Rejections(const Merchant& m) {
  uint64_t n = 0;
  for (const auto& [msg_code, count] : m.rejected) n += count;
  return n;
}

// Closes access once the serviceCode has been unused past the limit.
bool ClosedForInactivity(State& state, Merchant& m) {
  if (!m.closed && state.clock->Now() - m.last_used > state.settings.inactivity_limit) m.closed = true;
  return m.closed;
}

}  // namespace

bool IsAlliancePath(std::string_view path) {
  return path == kAuthorizePath || path.substr(0, kCallPrefix.size()) == kCallPrefix;
}

http::Response AllianceError(int status, std::string_view msg_code, std::string_view text) {
  return http::Response::Json(status, {{"requestId", RandomUuid()},
                                       {"serviceId", "api-gateway"},
                                       {"msgCode", msg_code},
                                       {"msgType", "ERROR"},
                                       {"msgText", text},
                                       {"isLocalized", false},
                                       {"msgAttrs", nlohmann::json::object()},
                                       {"errorCauses", nlohmann::json::array()}});
}

http::Response AllianceReject(State& state, const std::string& service_code, std::string_view code,
                              std::string_view text) {
  auto it = state.merchants.find(service_code);
  if (it != state.merchants.end()) ++it->second.rejected[std::string(code)];
  return AllianceError(DocumentedStatus(code), code, text);
}

http::Response RejectOtherMerchantId(State& state, const std::string& service_code) {
  return AllianceReject(state, service_code, "b_user_merchant_request_mismatch",
                        "@User's merchant ID doesn't match the merchant ID from request: "
                        "merchantId is not the registered one");
}

int DocumentedStatus(std::string_view code) {
  // The bank's error-code page ("Коди помилок", docs.merchant.alb.ua
  // /dovidniki/kodi-pomilok): every code it gives a status other than 200.
  struct Entry {
    std::string_view code;
    int status;
  };
  static constexpr Entry kNot200[] = {
      {"b_expired_token", 401},
      {"b_unknown_device", 401},
      {"b_used_token", 401},
      {"b_auth_token_expired", 401},
      {"b_previous_auth_token_expired", 401},
      {"b_service_unavailable", 404},
      {"payment_operation_not_found", 404},
      {"b_hpp_order_not_found", 404},
      {"b_merchant_balances_not_found", 404},
      {"b_duplicate_field_value", 400},
      {"b_request_is_not_correct", 400},
      {"b_error_parse_json", 400},
      {"b_txn_not_allowed", 400},
      {"b_failed_to_get_apple_pay_session", 400},
      {"b_user_merchant_request_mismatch", 400},
      {"b_hpp_order_expired", 500},
      {"b_unknown_error", 500},
      {"b_server_is_overloaded", 503},
      // The emulator's own, where the page names no code: requests refused
      // before any endpoint reads them (wrong method, too large).
      {"b_bad_request", 400},
  };
  for (const Entry& e : kNot200) {
    if (e.code == code) return e.status;
  }
  return 200;
}

http::Response AllianceAuthorize(State& state, const http::Request& request, bool wrong_key) {
  if (request.method != "POST") return AllianceError(405, "b_bad_request", "use POST");
  if (!ApiVersionOk(request)) {
    return AllianceError(400, "b_request_is_not_correct", "x-api_version must be 1, v1 or V1");
  }
  std::string code = request.query_param("serviceCode").value_or("");
  if (code.empty()) {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return AllianceError(400, "b_error_parse_json", "JSON parse error: the body is not a JSON object");
    }
    if (!body.contains("serviceCode") || !body["serviceCode"].is_string()) {
      return AllianceError(400, "b_request_is_not_correct", "serviceCode is required");
    }
    code = body["serviceCode"].get<std::string>();
  }
  auto it = state.merchants.find(code);
  if (it == state.merchants.end()) return AllianceError(200, "b_merchant_not_found", "@Merchant not found");
  Merchant& m = it->second;
  if (ClosedForInactivity(state, m)) {
    return AllianceReject(state, code, "b_auth_token_expired", "access closed after 200 days of inactivity");
  }
  TimePoint now = state.clock->Now();
  auto server_key = jose::EcKey::Generate(jose::Curve::kP384);
  if (!server_key.ok()) return AllianceError(500, "b_internal_error", "key generation failed");
  std::string device = RandomUuid();
  AllianceSession session{code, RandomUuid(), now + state.settings.alliance_lifetime, false, *server_key};
  nlohmann::json answer = {{"authToken", RandomUuid()},
                           {"deviceId", device},
                           {"refreshToken", session.refresh_token},
                           {"serverPublic", server_key->PublicJwk()},
                           {"tokenExpirationDateTime", FormatBankUtc(session.expires_at)},
                           {"tokenExpiration", FormatBankKyiv(session.expires_at)}};
  jose::EcKey recipient = m.client_public;
  if (wrong_key) recipient = jose::EcKey::Generate(jose::Curve::kP384)->PublicOnly();
  auto jwe = jose::EncryptCompact(answer.dump(), recipient);
  if (!jwe.ok()) return AllianceError(500, "b_internal_error", "encryption failed");
  state.SweepSessions(/*adding=*/1);
  state.session_expiries.Add(session.expires_at, device);
  state.sessions[device] = std::move(session);
  m.last_used = now;
  ++m.authorizations;
  return http::Response::Json(200, {{"jwe", *jwe}});
}

http::Response AllianceCall(State& state, const http::Request& request) {
  if (request.method != "POST") return AllianceError(405, "b_bad_request", "use POST");
  if (!ApiVersionOk(request)) {
    return AllianceError(400, "b_request_is_not_correct", "x-api_version must be 1, v1 or V1");
  }
  auto refresh = request.header("x-refresh_token");
  auto device_header = request.header("x-device_id");
  auto session_it = device_header ? state.sessions.find(std::string(*device_header)) : state.sessions.end();
  std::string code = session_it != state.sessions.end() ? session_it->second.service_code : "";
  if (!refresh || refresh->empty()) return AllianceReject(state, code, "b_refresh_token_absent", "x-refresh_token is missing");
  if (session_it == state.sessions.end()) return AllianceReject(state, code, "b_unknown_device", "unknown x-device_id");
  AllianceSession& s = session_it->second;
  Merchant& m = state.merchants.at(code);
  if (ClosedForInactivity(state, m)) {
    return AllianceReject(state, code, "b_auth_token_expired", "access closed after 200 days of inactivity");
  }
  if (s.killed) {
    return AllianceReject(state, code, state.settings.session_code_with_s ? "b_session_doesnt_exists" : "b_session_doesnt_exist",
                  "Сеансу не існує");
  }
  if (*refresh != s.refresh_token) return AllianceReject(state, code, "b_used_token", "@Used Token Alert!");
  TimePoint now = state.clock->Now();
  if (now >= s.expires_at) return AllianceReject(state, code, "b_expired_token", "session token expired");

  std::string_view path = request.path();
  const uint64_t rejections_before = Rejections(m);
  http::Response answer;
  if (path.ends_with("/payments/v3/refund")) {
    answer = Refund(state, s, request);
  } else {
    auto body = nlohmann::json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return AllianceReject(state, code, "b_error_parse_json", "JSON parse error: the body is not a JSON object");
    }
    if (path.ends_with("/hpp/v1/create-order")) {
      answer = CreateOrder(state, code, body);
    } else if (path.ends_with("/hpp/v1/operations")) {
      answer = ReadOrder(state, code, body);
    } else if (path.ends_with("/payments/v1/operations")) {
      answer = ReadOperationById(state, code, body);
    } else if (path.ends_with("/payments/v1/operation/by_merchant_request_id")) {
      answer = ReadOperationByMerchantRequestId(state, code, body);
    } else if (path.ends_with("/ecom_balance/v1/get")) {
      answer = http::Response::Json(200, {{"balance", 0}, {"currency", "UAH"}, {"date", FormatBankKyiv(now)}});
    } else {
      return AllianceError(404, "b_service_unavailable", "@Service '" + std::string(path) + "' unavailable");
    }
  }
  // Most refusals come with 200 too (the error-code page): a call made is
  // a 200 that no endpoint refused.
  if (answer.status == 200 && Rejections(m) == rejections_before) {
    m.last_used = now;
    ++m.api_calls;
  }
  return answer;
}

}  // namespace tokenwarden::emulator
