#include "emulator/alliance.h"

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

// Counts a rejection against the merchant (when known) and answers it.
http::Response Reject(State& state, const std::string& service_code, std::string_view code,
                      std::string_view text) {
  auto it = state.merchants.find(service_code);
  if (it != state.merchants.end()) ++it->second.rejected[std::string(code)];
  return AllianceError(DocumentedStatus(code), code, text);
}

// Closes access once the serviceCode has been unused past the limit.
bool ClosedForInactivity(State& state, Merchant& m) {
  if (!m.closed && state.clock->Now() - m.last_used > state.settings.inactivity_limit) m.closed = true;
  return m.closed;
}

nlohmann::json OrderAnswer(const nlohmann::json& in, TimePoint now) {
  std::string id = RandomUuid();
  return {{"hppOrderId", id},
          {"merchantRequestId", in.value("merchantRequestId", RandomUuid())},
          {"orderStatus", "PENDING"},
          {"coinAmount", in.value("coinAmount", 0)},
          {"redirectUrl", "https://hpp.emulator.invalid/" + id},
          {"statusUrl", in.value("statusUrl", "")},
          {"createDate", FormatBankKyiv(now)},
          {"expiredOrderDate", FormatBankKyiv(now + std::chrono::minutes(30))}};
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

int DocumentedStatus(std::string_view code) {
  if (code == "b_expired_token" || code == "b_used_token" || code == "b_previous_auth_token_expired" ||
      code == "b_auth_token_expired") {
    return 401;
  }
  if (code == "b_server_is_overloaded") return 503;
  if (code == "b_bad_request" || code == "b_service_code_not_found") return 400;
  return 200;
}

http::Response AllianceAuthorize(State& state, const http::Request& request, bool wrong_key) {
  if (request.method != "POST") return AllianceError(405, "b_bad_request", "use POST");
  if (!ApiVersionOk(request)) return AllianceError(400, "b_bad_request", "x-api_version must be 1, v1 or V1");
  std::string code = request.query_param("serviceCode").value_or("");
  if (code.empty()) {
    auto body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return AllianceError(400, "b_bad_request", "malformed JSON body");
    if (!body.contains("serviceCode") || !body["serviceCode"].is_string()) {
      return AllianceError(400, "b_bad_request", "serviceCode is required");
    }
    code = body["serviceCode"].get<std::string>();
  }
  auto it = state.merchants.find(code);
  if (it == state.merchants.end()) return AllianceError(400, "b_service_code_not_found", "unknown serviceCode");
  Merchant& m = it->second;
  if (ClosedForInactivity(state, m)) {
    return Reject(state, code, "b_auth_token_expired", "access closed after 200 days of inactivity");
  }
  TimePoint now = state.clock->Now();
  auto server_key = jose::EcKey::Generate(jose::Curve::kP384);
  if (!server_key.ok()) return AllianceError(500, "b_internal_error", "key generation failed");
  std::string device = RandomUuid();
  AllianceSession session{code, RandomUuid(), now + state.settings.alliance_lifetime, false};
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
  state.sessions[device] = std::move(session);
  m.last_used = now;
  ++m.authorizations;
  return http::Response::Json(200, {{"jwe", *jwe}});
}

http::Response AllianceCall(State& state, const http::Request& request) {
  if (request.method != "POST") return AllianceError(405, "b_bad_request", "use POST");
  if (!ApiVersionOk(request)) return AllianceError(400, "b_bad_request", "x-api_version must be 1, v1 or V1");
  auto refresh = request.header("x-refresh_token");
  auto device_header = request.header("x-device_id");
  auto session_it = device_header ? state.sessions.find(std::string(*device_header)) : state.sessions.end();
  std::string code = session_it != state.sessions.end() ? session_it->second.service_code : "";
  if (!refresh || refresh->empty()) return Reject(state, code, "b_refresh_token_absent", "x-refresh_token is missing");
  if (session_it == state.sessions.end()) return Reject(state, code, "b_unknown_device", "unknown x-device_id");
  AllianceSession& s = session_it->second;
  Merchant& m = state.merchants.at(code);
  if (ClosedForInactivity(state, m)) {
    return Reject(state, code, "b_auth_token_expired", "access closed after 200 days of inactivity");
  }
  if (s.killed) {
    return Reject(state, code, state.settings.session_code_with_s ? "b_session_doesnt_exists" : "b_session_doesnt_exist",
                  "Сеансу не існує");
  }
  if (*refresh != s.refresh_token) return Reject(state, code, "b_used_token", "@Used Token Alert!");
  TimePoint now = state.clock->Now();
  if (now >= s.expires_at) return Reject(state, code, "b_expired_token", "session token expired");

  auto body = nlohmann::json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return Reject(state, code, "b_bad_request", "malformed JSON body");
  std::string_view path = request.path();
  nlohmann::json answer;
  if (path.ends_with("/create-order")) {
    if (!m.merchant_id.empty() && body.value("merchantId", "") != m.merchant_id) {
      return Reject(state, code, "b_bad_request", "merchantId does not match the registered one");
    }
    answer = OrderAnswer(body, now);
  } else if (path.ends_with("/operations")) {
    answer = {{"operations", nlohmann::json::array()}, {"hppOrderId", body.value("hppOrderId", "")}};
  } else if (path.ends_with("/ecom_balance/v1/get")) {
    answer = {{"balance", 0}, {"currency", "UAH"}, {"date", FormatBankKyiv(now)}};
  } else {
    return AllianceError(404, "b_bad_request", "no such endpoint in the emulator");
  }
  m.last_used = now;
  ++m.api_calls;
  return http::Response::Json(200, answer);
}

}  // namespace tokenwarden::emulator
