#include "emulator/emulator.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "emulator/admin.h"
#include "emulator/alliance.h"
#include "emulator/novapost.h"
#include "emulator/request_fields.h"
#include "util/log.h"

namespace tokenwarden::emulator {
namespace {

// The rest of an answer that never comes (fault "cut").
class BrokenOff final : public http::BodyStream {
 public:
  boost::asio::awaitable<Result<std::string>> Next() override {
    co_return MakeError(ErrorCode::kUnavailable, "the emulator cut the answer off (fault cut)");
  }
};

// An injected error in the shape of the upstream the path belongs to.
http::Response InjectedError(const http::Request& r, const Fault& f) {
  if (IsAlliancePath(r.path())) {
    int status = f.status != 0 ? f.status : DocumentedStatus(f.msg_code);
    return AllianceError(status, f.msg_code, "injected by the emulator");
  }
  return http::Response::Json(f.status != 0 ? f.status : 503, {{"message", "injected by the emulator"}});
}

// The serviceCode a request concerns, when it can be told (for counting
// injected rejections against the right merchant).
std::string ServiceCodeOf(State& state, const http::Request& r) {
  if (auto device = r.header("x-device_id")) {
    auto it = state.sessions.find(std::string(*device));
    if (it != state.sessions.end()) return it->second.service_code;
  }
  if (auto q = r.query_param("serviceCode")) return *q;
  auto body = nlohmann::json::parse(r.body, nullptr, false);
  return body.is_object() ? StringOrEmpty(body, "serviceCode") : "";
}

}  // namespace

Emulator::Emulator(std::shared_ptr<Clock> base_clock) : state_(std::make_shared<State>()) {
  state_->clock = std::make_shared<OffsetClock>(std::move(base_clock));
  state_->jwt_secret = Secret(RandomHex(32));
  callbacks_ = std::make_unique<CallbackSender>(state_);
}

http::Handler Emulator::handler() {
  return [this](http::Request r) { return Handle(std::move(r)); };
}

http::Response Emulator::ServerError(int status, std::string_view message, std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (IsNovaPostPath(path)) return http::Response::Json(status, {{"message", message}});
  if (IsAlliancePath(path) || path.empty()) return AllianceError(status, "b_bad_request", message);
  return http::Response::Json(status, {{"error", message}});
}

Status Emulator::RegisterMerchant(const std::string& service_code, const nlohmann::json& public_jwk,
                                  const std::string& merchant_id, const std::string& merchant_name) {
  std::lock_guard<std::mutex> lock(state_->mu);
  return emulator::RegisterMerchant(*state_, service_code, public_jwk, merchant_id, merchant_name);
}

Status Emulator::RegisterApiKey(const std::string& api_key) {
  std::lock_guard<std::mutex> lock(state_->mu);
  return emulator::RegisterApiKey(*state_, api_key);
}

nlohmann::json Emulator::Stats() {
  std::lock_guard<std::mutex> lock(state_->mu);
  return emulator::Stats(*state_);
}

boost::asio::awaitable<http::Response> Emulator::Handle(http::Request request) {
  auto start = std::chrono::steady_clock::now();
  std::optional<Fault> fault;
  bool admin = request.path().substr(0, 11) == "/_emulator/";
  if (!admin) {
    std::lock_guard<std::mutex> lock(state_->mu);
    fault = state_->TakeFault(request.path());
  }
  if (fault && fault->kind == "delay") {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                    std::chrono::milliseconds(fault->delay_ms));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  http::Response response = Dispatch(request, fault);
  // The query is left out: Nova Post's carries the apiKey.
  log::Info("request", {{"method", request.method},
                        {"path", std::string(request.path())},
                        {"status", response.drop_connection ? 0 : response.status},
                        {"fault", fault ? fault->kind : ""},
                        {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - start).count()}});
  co_return response;
}

http::Response Emulator::Dispatch(const http::Request& r, const std::optional<Fault>& fault) {
  std::lock_guard<std::mutex> lock(state_->mu);
  State& state = *state_;
  std::string_view path = r.path();
  if (path.substr(0, 11) == "/_emulator/") {
    if (!r.peer_is_loopback) return http::Response::Json(403, {{"error", "the admin API answers loopback peers only"}});
    return AdminHandle(state, r);
  }
  if (fault) {
    if (fault->kind == "drop") {
      http::Response dropped;
      dropped.drop_connection = true;
      return dropped;
    }
    if (fault->kind == "error") {
      std::string code = ServiceCodeOf(state, r);
      auto m = state.merchants.find(code);
      if (m != state.merchants.end()) ++m->second.rejected[fault->msg_code];
      return InjectedError(r, *fault);
    }
    if (fault->kind == "status") return http::Response::Json(fault->status, {{"error", "injected by the emulator"}});
    if (fault->kind == "malformed") return http::Response::Text(200, "{\"jwe\": \"eyJ", "application/json");
  }
  http::Response response;
  if (path == "/api-gateway/authorize_virtual_device") {
    response = AllianceAuthorize(state, r, fault && fault->kind == "wrong_key_jwe");
  } else if (IsAlliancePath(path)) {
    response = AllianceCall(state, r);
  } else if (IsNovaPostPath(path)) {
    response = NovaPostHandle(state, r);
  } else {
    response = http::Response::Json(404, {{"error", "no such path in the emulator"}});
  }
  if (fault && fault->kind == "truncate") response.body.resize(response.body.size() / 2);
  // JSON allows whitespace after the value: the answer stays what it was.
  if (fault && (fault->kind == "large" || fault->kind == "cut") && response.body.size() < fault->bytes) {
    response.body.append(fault->bytes - response.body.size(), ' ');
  }
  if (fault && fault->kind == "large_header") response.Header("X-Emulator-Padding", std::string(fault->bytes, 'p'));
  if (fault && fault->kind == "cut") {
    // Declared whole, sent half: the server writes what is held, then finds
    // the rest broken off and closes the connection.
    response.length = response.body.size();
    response.body.resize(response.body.size() / 2);
    response.rest = std::make_shared<BrokenOff>();
  }
  return response;
}

}  // namespace tokenwarden::emulator
