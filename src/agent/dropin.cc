#include "agent/dropin.h"

#include <exception>

#include "util/ascii.h"
#include "util/log.h"

namespace tokenwarden::agent {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kAllianceAuthorize = "/api-gateway/authorize_virtual_device";
constexpr std::string_view kNovaPostAuthorize = "/clients/authorization";


// "/a//b/" -> "/a/b/": clients that concatenate a base URL ending in '/'
// with a path starting with one send a doubled slash.
std::string CollapseSlashes(std::string_view path) {
  std::string out;
  out.reserve(path.size() + 1);
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
  return out;
}

std::string_view ProviderName(Upstream upstream) { return upstream == Upstream::kAlliance ? "alliance" : "novapost"; }

// The header of a session that a client sends back on every call.
std::string_view SessionKeyHeader(Upstream upstream) {
  return upstream == Upstream::kAlliance ? "x-device_id" : "authorization";
}

std::string_view SessionKey(const Session& session, Upstream upstream) {
  for (const auto& h : session.headers) {
    if (EqualsIgnoreCase(h.name, SessionKeyHeader(upstream))) return h.value.reveal();
  }
  return {};
}

// What a client sent as its session on a call; Nova Post's JWT with or
// without "Bearer ".
std::string_view PresentedSession(const Request& request, Upstream upstream) {
  std::string_view v = request.header(SessionKeyHeader(upstream)).value_or("");
  if (upstream == Upstream::kNovaPost && v.size() > 7 && EqualsIgnoreCase(v.substr(0, 7), "bearer ")) v.remove_prefix(7);
  return v;
}

// serviceCode from the JSON body, else from the query (one of the bank's
// plugins sends it there).
std::string ServiceCodeOf(const Request& request) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_object()) {
    auto it = body.find("serviceCode");
    if (it != body.end() && it->is_string()) return it->get<std::string>();
  }
  return request.query_param("serviceCode").value_or("");
}

}  // namespace

const ForwardStyle kDropinStyle = {&NoSessionUpstreamReply, &AccountRuntime::dropin_requests,
                                   "tokenwarden_dropin_requests_total",
                                   "Calls forwarded by the drop-in listener, by the status answered"};

struct DropinApi::Call {
  Upstream upstream;
  std::string path;                         // slashes collapsed, account prefix taken off
  std::shared_ptr<AccountRuntime> account;  // from the prefix or the listener; else recognised
};

DropinApi::DropinApi(const AccountDirectory& directory, MetricsRegistry& metrics, std::shared_ptr<Clock> clock,
                     DropinOptions options)
    : directory_(directory), metrics_(metrics), clock_(std::move(clock)), options_(std::move(options)) {}

Response DropinApi::ServerError(int status, std::string_view message, std::string_view target) {
  std::string_view code = status == 413 || status == 431 ? "b_request_too_large" : "b_bad_request";
  std::string text = "tokenwarden: " + std::string(message);
  if (target.empty()) {
    // Refused before its request line was read whole (a declared length
    // past the limit is seen mid-header): the bank's body, with Nova Post's
    // "message" beside it, so that either client reads it.
    Response r = AllianceError(status, code, text);
    auto body = nlohmann::json::parse(r.body);
    body["message"] = text;
    r.body = body.dump();
    return r;
  }
  Request r;
  r.target = std::string(target);
  return UpstreamError(UpstreamOf(r), status, code, text);
}

boost::asio::awaitable<Response> DropinApi::Handle(Request request) {
  try {
    co_return co_await Route(request);
  } catch (const std::exception& e) {
    log::Error("dropin_handler_failed", {{"error", e.what()}});
    co_return UpstreamError(UpstreamOf(request), 500, "b_internal_error",
                            "tokenwarden: the agent failed to handle this request; see its log");
  }
}

boost::asio::awaitable<Response> DropinApi::Route(const Request& request) {
  Call call{UpstreamOf(request), CollapseSlashes(request.path()), nullptr};
  // Browsers and relays are refused, as on the local API: a page the user
  // visits must not be able to spend the merchant's session.
  if (request.header("origin") || request.header("x-forwarded-for")) {
    co_return UpstreamError(call.upstream, 403, "b_forbidden",
                            "tokenwarden: requests through a browser or a relay (Origin, X-Forwarded-For) are refused");
  }
  if (!options_.only_account.empty()) {
    call.account = directory_.Find(options_.only_account);
    if (!call.account) {
      co_return UpstreamError(call.upstream, 503, "b_server_is_overloaded",
                              "tokenwarden: account '" + options_.only_account + "' is no longer configured");
    }
  }
  // An account prefix ("/shop/api-gateway/..."), where the client keeps
  // its base URL's path.
  size_t second = call.path.find('/', 1);
  if (second != std::string::npos) {
    std::string_view first = std::string_view(call.path).substr(1, second - 1);
    if (auto prefixed = directory_.Find(first)) {
      if (call.account && call.account != prefixed) {
        co_return UpstreamError(call.upstream, 404, "b_not_found",
                                "tokenwarden: this listener serves account '" + call.account->id + "' alone");
      }
      call.account = std::move(prefixed);
      call.path.erase(0, second);
    }
  }
  if (call.path.ends_with(kAllianceAuthorize)) {
    call.upstream = Upstream::kAlliance;
    std::string code = ServiceCodeOf(request);
    if (code.empty()) {
      co_return AllianceError(400, "b_request_is_not_correct", "tokenwarden: serviceCode is missing (JSON body or query)");
    }
    co_return co_await Authorize(call, code);
  }
  if (call.path.ends_with(kNovaPostAuthorize)) {
    call.upstream = Upstream::kNovaPost;
    std::string key = request.query_param("apiKey").value_or("");
    if (key.empty()) co_return NovaPostError(422, "Validation error: apiKey is required");
    co_return co_await Authorize(call, key);
  }
  co_return co_await Forward(request, call);
}

boost::asio::awaitable<Response> DropinApi::Authorize(Call& call, std::string_view credential) {
  std::shared_ptr<AccountRuntime> account = call.account;
  if (account && (account->manager->provider().name() != ProviderName(call.upstream) ||
                  !account->manager->provider().HasCredential(credential))) {
    account = nullptr;
  } else if (!call.account) {
    account = ByCredential(credential, call.upstream);
  }
  if (!account) {
    // Nothing of the credential is logged: it may be a real one mistyped.
    log::Warn("dropin_unknown_credential", {{"upstream", ProviderName(call.upstream)}});
    co_return call.upstream == Upstream::kAlliance
        ? AllianceError(200, "b_merchant_not_found", "tokenwarden: no account has this serviceCode")
        : NovaPostError(401, "Unauthorized");
  }
  std::shared_ptr<const Session> session = account->manager->current();
  if (!session) {
    auto waited = co_await account->manager->WaitForSession(options_.session_wait);
    if (!waited.ok()) co_return NoSessionUpstreamReply(*account, waited.error(), *clock_);
    session = *waited;
  }
  auto answer = account->manager->provider().AuthorizationAnswer(*session);
  if (!answer.ok()) {
    log::Error("dropin_answer_failed", {{"account", account->id}, {"error", answer.error().ToString()}});
    co_return UpstreamError(call.upstream, 500, "b_internal_error",
                            "tokenwarden: " + answer.error().message + "; see the agent's log");
  }
  NoteSession(*account, *session);
  account->manager->RecordUse();
  account->dropin_authorizations.Increment();
  Response r = Response::Text(200, std::move(*answer), "application/json");
  r.Header("Cache-Control", "no-store");
  co_return r;
}

boost::asio::awaitable<Response> DropinApi::Forward(const Request& request, Call& call) {
  std::string_view presented = PresentedSession(request, call.upstream);
  std::shared_ptr<AccountRuntime> account;
  if (!presented.empty()) account = BySession(presented, call.upstream);
  if (call.account && account != call.account) account = nullptr;  // a session of another account
  if (!account) {
    log::Warn("dropin_unknown_session", {{"upstream", ProviderName(call.upstream)}});
    // What each upstream answers for a session it does not know; the
    // client's own recovery authorizes again, which is answered here.
    co_return call.upstream == Upstream::kAlliance
        ? AllianceError(401, "b_unknown_device", "tokenwarden: unknown x-device_id; authorize again")
        : NovaPostError(401, "Unauthorized");
  }
  // A client whose base URL keeps the upstream's path (".../v.1.0/")
  // sends it again: forwarded below the account's base URL, it is not
  // doubled.
  std::string_view base_path = account->proxy_base->url.target;
  while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
  if (!base_path.empty() && call.path.starts_with(base_path) &&
      (call.path.size() == base_path.size() || call.path[base_path.size()] == '/')) {
    call.path.erase(0, base_path.size());
    if (call.path.empty()) call.path = "/";
  }
  account->dropin_forwarded.Increment();
  co_return co_await ProxyRequest(std::move(account), request, call.path, metrics_, options_.session_wait,
                                  kDropinStyle);
}

std::shared_ptr<AccountRuntime> DropinApi::ByCredential(std::string_view credential, Upstream upstream) const {
  for (const auto& a : *directory_.All()) {
    const Provider& p = a->manager->provider();
    if (p.name() == ProviderName(upstream) && p.HasCredential(credential)) return a;
  }
  return nullptr;
}

std::shared_ptr<AccountRuntime> DropinApi::BySession(std::string_view credential, Upstream upstream) {
  std::string id = index_.Find(credential);
  if (!id.empty()) return directory_.Find(id);
  // Sessions the agent made or adopted that no client has asked this
  // listener for (another listener, a restart, a fleet peer). Each current
  // session is noted, so that the next lookup is one digest.
  std::shared_ptr<AccountRuntime> found;
  for (const auto& a : *directory_.All()) {
    if (a->manager->provider().name() != ProviderName(upstream)) continue;
    auto session = a->manager->current();
    if (!session) continue;
    NoteSession(*a, *session);
    std::string_view key = SessionKey(*session, upstream);
    if (!found && !key.empty() && Secret(key).Equals(credential)) found = a;
  }
  return found;
}

void DropinApi::NoteSession(const AccountRuntime& account, const Session& session) {
  Upstream upstream = account.manager->provider().name() == "alliance" ? Upstream::kAlliance : Upstream::kNovaPost;
  std::string_view key = SessionKey(session, upstream);
  if (!key.empty()) index_.Note(key, account.id);
}

}  // namespace tokenwarden::agent
