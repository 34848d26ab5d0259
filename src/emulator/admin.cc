#include "emulator/admin.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>

#include "emulator/callbacks.h"
#include "emulator/novapost.h"
#include "emulator/novapost_shipments.h"
#include "emulator/orders.h"
#include "emulator/request_fields.h"
#include "util/duration.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

http::Response Bad(std::string why) { return http::Response::Json(400, {{"error", std::move(why)}}); }
http::Response Ok(nlohmann::json body = {{"ok", true}}) { return http::Response::Json(200, body); }

// A span of time from the control API, in `unit`s (86400 for days): at most
// kLongestSpanSeconds, so that the clock can hold it added to now. Errors
// name the field.
Result<Duration> SpanField(const nlohmann::json& body, const char* name, double unit = 1) {
  auto it = body.find(name);
  double n = it != body.end() && it->is_number() ? it->get<double>() : -1;
  if (!(n >= 0) || n * unit > static_cast<double>(kLongestSpanSeconds)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) + " must be a number from 0 to " +
                         std::to_string(static_cast<long long>(kLongestSpanSeconds / unit)) + " (100 years)");
  }
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(n * unit));
}

Merchant* FindMerchant(State& state, const nlohmann::json& body) {
  auto it = state.merchants.find(body.value("serviceCode", ""));
  return it == state.merchants.end() ? nullptr : &it->second;
}

// Applies `f` to the live sessions of the serviceCode, or of one deviceId.
int ForSessions(State& state, const nlohmann::json& body,
                const std::function<void(const std::string& device, AllianceSession&)>& f) {
  int n = 0;
  std::string code = body.value("serviceCode", "");
  std::string device = body.value("deviceId", "");
  for (auto& [id, s] : state.sessions) {
    if ((!device.empty() && id == device) || (device.empty() && s.service_code == code)) {
      f(id, s);
      ++n;
    }
  }
  return n;
}

Result<Fault> ParseFault(State& state, const nlohmann::json& b) {
  static const std::set<std::string> kKinds = {"error", "status", "delay", "drop", "malformed", "truncate",
                                               "wrong_key_jwe", "large", "large_header", "cut"};
  Fault f;
  f.kind = b.value("kind", "");
  if (!kKinds.count(f.kind)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "kind must be one of error, status, delay, drop, malformed, truncate, wrong_key_jwe, large, "
                     "large_header, cut");
  }
  f.path_prefix = b.value("path_prefix", "/");
  if (f.path_prefix.rfind("/_emulator", 0) == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "faults cannot target the admin API");
  }
  TW_ASSIGN_OR_RETURN(int64_t count, IntField(b, "count", 1, INT32_MAX, -1));
  f.remaining = static_cast<int>(count);
  if (b.contains("seconds")) {
    TW_ASSIGN_OR_RETURN(Duration span, SpanField(b, "seconds"));
    f.until = state.clock->Now() + span;
  }
  if (f.remaining < 0 && !f.until) f.remaining = 1;
  f.msg_code = b.value("msgCode", f.kind == "error" ? "b_server_is_overloaded" : "");
  // 0: the documented status (kind error); a bare status needs one.
  TW_ASSIGN_OR_RETURN(int64_t status, f.kind == "status" ? IntField(b, "status", 100, 599, std::nullopt)
                                                          : IntField(b, "status", 0, 599, 0));
  f.status = static_cast<int>(status);
  TW_ASSIGN_OR_RETURN(int64_t delay_ms, IntField(b, "delay_ms", 0, 3'600'000, 0));  // an hour at most
  f.delay_ms = static_cast<int>(delay_ms);
  if (f.kind == "large" || f.kind == "large_header" || f.kind == "cut") {
    const int64_t most = f.kind == "large_header" ? 1024 * 1024 : 64 * 1024 * 1024;
    // A cut answer is padded only when asked; the others need a size.
    auto fallback = f.kind == "cut" ? std::optional<int64_t>(1) : std::nullopt;
    TW_ASSIGN_OR_RETURN(int64_t bytes, IntField(b, "bytes", 1, most, fallback));
    f.bytes = static_cast<size_t>(bytes);
  }
  return f;
}

nlohmann::json FaultJson(const Fault& f) {
  return {{"kind", f.kind}, {"path_prefix", f.path_prefix}, {"remaining", f.remaining},
          {"msgCode", f.msg_code}, {"status", f.status}, {"delay_ms", f.delay_ms}, {"bytes", f.bytes}};
}

http::Response ApplySettings(State& state, const nlohmann::json& b) {
  auto& s = state.settings;
  for (auto [name, lifetime] : {std::pair{"alliance_lifetime_seconds", &s.alliance_lifetime},
                                 std::pair{"novapost_lifetime_seconds", &s.novapost_lifetime}}) {
    if (!b.contains(name)) continue;
    auto span = SpanField(b, name);
    if (!span.ok()) return Bad(span.error().message);
    *lifetime = std::chrono::floor<std::chrono::seconds>(*span);
  }
  for (auto [name, retention] : {std::pair{"order_retention_seconds", &s.order_retention},
                                  std::pair{"session_retention_seconds", &s.session_retention},
                                  std::pair{"shipment_retention_seconds", &s.shipment_retention}}) {
    if (!b.contains(name)) continue;
    auto span = SpanField(b, name);
    if (!span.ok()) return Bad(span.error().message);
    *retention = *span;
  }
  for (auto [name, limit] : {std::pair{"max_pending_callbacks", &s.max_pending_callbacks},
                              std::pair{"max_sessions", &s.max_sessions}, std::pair{"max_orders", &s.max_orders},
                              std::pair{"max_shipments", &s.max_shipments}}) {
    if (!b.contains(name)) continue;
    auto most = IntField(b, name, 1, 1'000'000, std::nullopt);
    if (!most.ok()) return Bad(most.error().message);
    *limit = static_cast<size_t>(*most);
  }
  if (b.contains("novapost_session_limit")) s.novapost_session_limit = b["novapost_session_limit"].get<int>();
  if (b.contains("session_code_spelling")) {
    std::string v = b["session_code_spelling"];
    if (v != "b_session_doesnt_exist" && v != "b_session_doesnt_exists") {
      return Bad("session_code_spelling must be b_session_doesnt_exist or b_session_doesnt_exists");
    }
    s.session_code_with_s = v == "b_session_doesnt_exists";
  }
  if (s.novapost_session_limit < 1) return Bad("novapost_session_limit must be at least 1");
  return Ok();
}

}  // namespace

Status RegisterMerchant(State& state, const std::string& service_code, const nlohmann::json& public_jwk,
                        const std::string& merchant_id, const std::string& merchant_name) {
  if (service_code.empty()) return MakeError(ErrorCode::kInvalidArgument, "serviceCode is required");
  auto key = jose::EcKey::FromJwk(public_jwk);
  if (!key.ok()) return WithContext(std::move(key).error(), "clientPublicJwk");
  if (key->curve() != jose::Curve::kP384) {
    return MakeError(ErrorCode::kInvalidArgument, "clientPublicJwk must be a P-384 key");
  }
  Merchant m{.client_public = key->PublicOnly(), .merchant_id = merchant_id};
  m.last_used = state.clock->Now();
  if (!merchant_name.empty()) m.merchant_name = merchant_name;
  state.merchants.insert_or_assign(service_code, std::move(m));
  return OkStatus();
}

Status RegisterApiKey(State& state, const std::string& api_key) {
  if (api_key.empty()) return MakeError(ErrorCode::kInvalidArgument, "apiKey is required");
  state.novapost_keys.try_emplace(api_key);
  return OkStatus();
}

nlohmann::json Stats(State& state) {
  SweepOrders(state);
  state.SweepSessions();
  SweepShipments(state);
  nlohmann::json alliance = nlohmann::json::object(), novapost = nlohmann::json::object();
  TimePoint now = state.clock->Now();
  for (auto& [code, m] : state.merchants) {
    int live = 0;
    for (const auto& [id, s] : state.sessions) {
      if (s.service_code == code && !s.killed && s.expires_at > now) ++live;
    }
    int orders = 0;
    for (const auto& [id, o] : state.orders) orders += o.service_code == code;
    alliance[code] = {{"authorizations", m.authorizations},
                      {"live_sessions", live},
                      {"api_calls", m.api_calls},
                      {"rejected", m.rejected},
                      {"orders", orders},
                      {"callbacks", {{"delivered", m.callbacks_delivered},
                                     {"failed_attempts", m.callback_failures},
                                     {"refused", m.callbacks_refused},
                                     {"dropped", m.callbacks_dropped},
                                     {"pending", PendingCallbacks(state, code)},
                                     {"recent", m.recent_callbacks}}}};
  }
  for (auto& [key, k] : state.novapost_keys) {
    int shipments = 0;
    for (const auto& [number, shipment] : state.shipments) shipments += shipment.api_key == key;
    novapost[key] = {{"authorizations", k.authorizations}, {"live_sessions", LiveTokens(state, k)},
                     {"api_calls", k.api_calls}, {"rejected", k.rejected}, {"shipments", shipments}};
  }
  return {{"alliance", alliance}, {"novapost", novapost}};
}

http::Response AdminHandle(State& state, const http::Request& r) {
  std::string_view path = r.path().substr(std::string_view("/_emulator").size());
  nlohmann::json b = nlohmann::json::object();
  if (!r.body.empty()) {
    b = nlohmann::json::parse(r.body, nullptr, false);
    if (!b.is_object()) return Bad("body must be a JSON object");
  }
  bool post = r.method == "POST";
  try {
    if (path == "/stats" && r.method == "GET") return Ok(Stats(state));
    if (path == "/clock" && r.method == "GET") {
      TimePoint now = state.clock->Now();
      return Ok({{"now", FormatUtcIso(now)}, {"now_kyiv", FormatKyivIso(now)}, {"unix", ToUnixSeconds(now)}});
    }
    if (path == "/clock" && post) {
      if (!b.contains("advance_seconds")) return Bad("advance_seconds is required");
      auto span = SpanField(b, "advance_seconds");
      if (!span.ok()) return Bad(span.error().message);
      state.clock->Advance(*span);
      return Ok({{"now", FormatUtcIso(state.clock->Now())}, {"unix", ToUnixSeconds(state.clock->Now())}});
    }
    if (path == "/alliance/merchants" && post) {
      auto st = RegisterMerchant(state, b.value("serviceCode", ""), b.value("clientPublicJwk", nlohmann::json()),
                                 b.value("merchantId", ""), b.value("merchantName", ""));
      if (!st.ok()) return Bad(st.error().message);
      return http::Response::Json(201, {{"serviceCode", b["serviceCode"]}});
    }
    if (path.starts_with("/alliance/orders/") && post) {
      // The payer: /alliance/orders/{pay,fail,expire} {"hppOrderId"}.
      auto st = PlayPayer(state, b.value("hppOrderId", ""), path.substr(std::string_view("/alliance/orders/").size()));
      if (st.ok()) return Ok();
      int status = st.error().code == ErrorCode::kNotFound ? 404
                   : st.error().code == ErrorCode::kFailedPrecondition ? 409 : 400;
      return http::Response::Json(status, {{"error", st.error().message}});
    }
    if (path == "/novapost/keys" && post) {
      auto st = RegisterApiKey(state, b.value("apiKey", ""));
      if (!st.ok()) return Bad(st.error().message);
      return http::Response::Json(201, {{"ok", true}});
    }
    if ((path == "/alliance/sessions/kill" || path == "/alliance/sessions/expire") && post) {
      bool kill = path.ends_with("kill");
      TimePoint now = state.clock->Now();
      int n = ForSessions(state, b, [&](const std::string& device, AllianceSession& s) {
        if (kill) {
          s.killed = true;
        } else {
          state.session_expiries.Move(s.expires_at, now, device);
          s.expires_at = now;
        }
      });
      return Ok({{"sessions", n}});
    }
    if (path == "/alliance/inactivity" && post) {
      Merchant* m = FindMerchant(state, b);
      if (m == nullptr) return Bad("unknown serviceCode");
      auto idle = b.contains("days") ? SpanField(b, "days", 24 * 3600) : Result<Duration>(Duration::zero());
      if (!idle.ok()) return Bad(idle.error().message);
      m->last_used = state.clock->Now() - *idle;
      return Ok();
    }
    if (path == "/alliance/reopen" && post) {
      Merchant* m = FindMerchant(state, b);
      if (m == nullptr) return Bad("unknown serviceCode");
      m->closed = false;
      m->last_used = state.clock->Now();
      return Ok();
    }
    if (path == "/novapost/shipments/advance" && post) {
      // The courier: the shipment's next tracking status.
      auto number = b.find("number");
      if (number == b.end() || !number->is_string()) return Bad("number is required: a shipment number");
      auto item = AdvanceShipment(state, number->get<std::string>());
      if (item.ok()) return Ok(*item);
      int status = item.error().code == ErrorCode::kNotFound ? 404 : 409;
      return http::Response::Json(status, {{"error", item.error().message}});
    }
    if (path == "/novapost/revoke" && post) {
      auto it = state.novapost_keys.find(b.value("apiKey", ""));
      if (it == state.novapost_keys.end()) return Bad("unknown apiKey");
      it->second.live.clear();
      return Ok();
    }
    if (path == "/settings" && post) return ApplySettings(state, b);
    if (path == "/faults" && post) {
      auto f = ParseFault(state, b);
      if (!f.ok()) return Bad(f.error().message);
      state.faults.push_back(*f);
      return http::Response::Json(201, FaultJson(*f));
    }
    if (path == "/faults" && r.method == "GET") {
      nlohmann::json all = nlohmann::json::array();
      for (const auto& f : state.faults) all.push_back(FaultJson(f));
      return Ok({{"faults", all}});
    }
    if (path == "/faults" && r.method == "DELETE") {
      state.faults.clear();
      return Ok();
    }
    if (path == "/reset" && post) {
      state.Reset();
      return Ok();
    }
  } catch (const nlohmann::json::exception& e) {
    return Bad(std::string("a field has the wrong type: ") + e.what());
  }
  return http::Response::Json(404, {{"error", "no such admin endpoint; see docs/EMULATOR.md"}});
}

}  // namespace tokenwarden::emulator
