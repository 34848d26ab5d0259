#include "agent/local_api.h"

#include <charconv>
#include <exception>

#include "agent/proxy.h"
#include "agent/replies.h"
#include "agent/status_page.h"
#include "agent/token_json.h"
#include "util/log.h"
#include "util/time_format.h"

namespace tokenwarden::agent {
namespace {

using http::Request;
using http::Response;

// Splits "/a/b/c" after `prefix` into the first segment and the rest.
std::pair<std::string_view, std::string_view> Segment(std::string_view path) {
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return {path, {}};
  return {path.substr(0, slash), path.substr(slash)};
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

boost::asio::awaitable<Response> Answer(Response r) { co_return r; }

Response TokenResponse(AccountRuntime& account, const std::shared_ptr<const Session>& s) {
  Response r = Response::Text(200, account.token_json.Get(s), "application/json");
  r.Header("Cache-Control", "no-store");
  return r;
}

nlohmann::json ViewJson(const AccountView& v, TimePoint now) {
  auto when = [](const std::optional<TimePoint>& t) { return t ? nlohmann::json(FormatUtcIso(*t)) : nlohmann::json(); };
  nlohmann::json j = {{"account", v.id},
                      {"provider", v.provider},
                      {"state", v.state},
                      {"generation", v.generation},
                      {"serving", v.Serving(now)},
                      {"issued_at", when(v.issued_at)},
                      {"expires_at", when(v.expires_at)},
                      {"expires_at_kyiv", v.expires_at ? nlohmann::json(FormatKyivIso(*v.expires_at)) : nlohmann::json()},
                      {"refresh_at", when(v.refresh_at)},
                      {"next_retry", when(v.next_retry)},
                      {"consecutive_failures", v.consecutive_failures},
                      {"last_error", v.last_error_code.empty() ? nlohmann::json()
                                                               : nlohmann::json{{"code", v.last_error_code},
                                                                                {"message", v.last_error_message}}},
                      {"last_used", when(v.last_used)}};
  if (auto days = v.DaysSinceLastUse(now)) {
    j["days_since_last_use"] = *days;
    if (v.provider == "alliance") j["days_until_access_closes"] = std::max(0, kInactivityLimitDays - *days);
  }
  j["inactivity_warning"] = v.InactivityWarning(now);
  if (!v.support_message.empty()) j["action"] = v.support_message;
  return j;
}

}  // namespace

LocalApi::LocalApi(const AccountDirectory& directory, MetricsRegistry& metrics, std::shared_ptr<Clock> clock,
                   LocalApiOptions options)
    : directory_(directory), metrics_(metrics), clock_(std::move(clock)), options_(options) {}

boost::asio::awaitable<Response> LocalApi::Handle(Request request) {
  try {
    std::optional<Response> fast = FastToken(request);
    if (fast) co_return std::move(*fast);
    if (StartsWith(request.path(), "/proxy/")) co_return co_await Proxy(request);
    co_return co_await Route(request);
  } catch (const std::exception& e) {
    log::Error("handler_failed", {{"path", std::string(request.path())}, {"error", e.what()}});
    co_return ErrorResponse(500, "internal", "the agent failed to handle this request; see its log");
  }
}

// Not a coroutine: it hands over ProxyRequest's, one frame fewer on every
// proxied request. The caller awaits it at once, while `request` lives.
boost::asio::awaitable<Response> LocalApi::Proxy(const Request& request) {
  auto [id, rest] = Segment(request.path().substr(7));
  auto account = directory_.Find(id);
  if (!account) return Answer(ErrorResponse(404, "unknown_account", "no account '" + std::string(id) + "' is configured"));
  auto headers = [&request](std::string_view name) { return request.header(name); };
  AccessDecision d = directory_.guard()->Check(headers, false, id);
  if (!d.allowed) return Answer(ErrorResponse(d.status, d.error, d.message, id));
  return ProxyRequest(std::move(account), request, rest.empty() ? "/" : rest, metrics_, options_.invalidate_wait,
                      kProxyStyle);
}

boost::asio::awaitable<Response> LocalApi::Route(const Request& request) {
  std::string_view path = request.path();
  const std::string& method = request.method;
  auto headers = [&request](std::string_view name) { return request.header(name); };
  auto guard = directory_.guard();

  if (path == "/healthz" && method == "GET") co_return Response::Json(200, {{"status", "ok"}});
  if (path == "/readyz" && method == "GET") co_return Ready();
  // The page and the metrics name accounts but carry no secret; they still
  // refuse browsers on other origins and relays.
  if ((path == "/" || path == "/metrics") && method == "GET") {
    if (request.header("origin") || request.header("x-forwarded-for")) {
      co_return ErrorResponse(403, "relayed_request",
                              "requests through a browser or a relay (Origin, X-Forwarded-For) are refused");
    }
    if (path == "/metrics") co_return Response::Text(200, metrics_.Render(), "text/plain; version=0.0.4");
    co_return StatusPage();
  }

  if (!StartsWith(path, "/v1/")) co_return ErrorResponse(404, "not_found", "no such endpoint: " + std::string(path));
  std::string_view v1 = path.substr(4);

  if (v1 == "accounts") {
    AccessDecision d = guard->Check(headers, true, "");
    if (!d.allowed) co_return ErrorResponse(d.status, d.error, d.message);
    if (method != "GET") co_return ErrorResponse(405, "method_not_allowed", "use GET /v1/accounts");
    co_return Accounts();
  }

  bool token = StartsWith(v1, "token/");
  bool operator_call = StartsWith(v1, "accounts/");
  if (!token && !operator_call) co_return ErrorResponse(404, "not_found", "no such endpoint: " + std::string(path));
  auto [id, rest] = Segment(v1.substr(token ? 6 : 9));
  // Operator calls need a client allowed every account.
  AccessDecision d = guard->Check(headers, true, token ? id : "");
  if (!d.allowed) co_return ErrorResponse(d.status, d.error, d.message, id);
  auto account = directory_.Find(id);
  if (!account) co_return ErrorResponse(404, "unknown_account", "no account '" + std::string(id) + "' is configured");

  if (token && rest.empty()) {
    if (method != "GET") co_return ErrorResponse(405, "method_not_allowed", "use GET /v1/token/" + std::string(id));
    co_return co_await Token(request, *account);
  }
  if (token && rest == "/invalidate") {
    if (method != "POST") {
      co_return ErrorResponse(405, "method_not_allowed", "use POST /v1/token/" + std::string(id) + "/invalidate?generation=N");
    }
    co_return co_await Invalidate(request, *account);
  }
  if (operator_call && rest == "/authorize") {
    if (method != "POST") {
      co_return ErrorResponse(405, "method_not_allowed", "use POST /v1/accounts/" + std::string(id) + "/authorize");
    }
    co_return co_await Authorize(*account);
  }
  co_return ErrorResponse(404, "not_found", "no such endpoint: " + std::string(path));
}

std::optional<Response> LocalApi::FastToken(const Request& request) const {
  // Only the plain case; anything else (a refusal, no session yet) takes
  // the full route, which answers it the same way as before.
  std::string_view path = request.path();
  if (request.method != "GET" || !StartsWith(path, "/v1/token/")) return std::nullopt;
  std::string_view id = path.substr(10);
  if (id.empty() || id.find('/') != std::string_view::npos) return std::nullopt;
  auto headers = [&request](std::string_view name) { return request.header(name); };
  if (!directory_.guard()->Check(headers, true, id).allowed) return std::nullopt;
  auto account = directory_.Find(id);
  if (!account) return std::nullopt;
  std::shared_ptr<const Session> session = account->manager->current();
  if (!session) return std::nullopt;
  account->token_reads.Increment();
  account->manager->RecordUse();
  return TokenResponse(*account, session);
}

boost::asio::awaitable<Response> LocalApi::Token(const Request&, AccountRuntime& account) {
  account.token_reads.Increment();
  if (auto s = account.manager->current()) {
    account.manager->RecordUse();
    co_return TokenResponse(account, s);
  }
  auto s = co_await account.manager->WaitForSession(options_.token_wait);
  if (!s.ok()) co_return NoSessionResponse(account, s.error(), *clock_);
  account.manager->RecordUse();
  co_return TokenResponse(account, *s);
}

boost::asio::awaitable<Response> LocalApi::Invalidate(const Request& request, AccountRuntime& account) {
  auto text = request.query_param("generation");
  uint64_t generation = 0;
  if (!text || text->empty()) {
    co_return ErrorResponse(400, "bad_request", "the query parameter 'generation' is missing: give the generation of the rejected token",
                            account.id);
  }
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), generation);
  if (ec != std::errc() || end != text->data() + text->size()) {
    co_return ErrorResponse(400, "bad_request",
                            "the query parameter 'generation' must be a non-negative integer, not '" + text->substr(0, 32) + "'",
                            account.id);
  }
  auto s = co_await account.manager->Invalidate(generation, options_.invalidate_wait);
  if (!s.ok()) co_return NoSessionResponse(account, s.error(), *clock_);
  co_return TokenResponse(account, *s);
}

boost::asio::awaitable<Response> LocalApi::Authorize(AccountRuntime& account) {
  log::Info("operator_authorize_requested", {{"account", account.id}});
  auto s = co_await account.manager->AuthorizeNow(options_.authorize_wait);
  TimePoint now = clock_->Now();
  if (!s.ok()) {
    co_return ErrorResponse(502, "authorize_failed", s.error().message, account.id);
  }
  co_return Response::Json(200, ViewJson(ViewOf(account), now));
}

Response LocalApi::Accounts() const {
  TimePoint now = clock_->Now();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& a : *directory_.All()) list.push_back(ViewJson(ViewOf(*a), now));
  return Response::Json(200, {{"accounts", list}, {"now", FormatUtcIso(now)}});
}

Response LocalApi::Ready() const {
  // Probed often (a load balancer, a start script): with 100,000 accounts a
  // full list would be megabytes per probe, so it names the first few and
  // counts the rest.
  constexpr size_t kNamed = 10;
  nlohmann::json named = nlohmann::json::array();
  size_t waiting = 0;
  TimePoint now = clock_->Now();  // every account's clock is the agent's
  for (const auto& a : *directory_.All()) {
    if (a->manager->Serving(now)) continue;
    if (++waiting <= kNamed) named.push_back(a->id);
  }
  if (waiting == 0) return Response::Json(200, {{"status", "ready"}});
  return Response::Json(
      503, {{"status", "not_ready"}, {"without_session", waiting}, {"accounts_without_session", named}});
}

Response LocalApi::StatusPage() const {
  std::vector<AccountView> views;
  for (const auto& a : *directory_.All()) views.push_back(ViewOf(*a));
  Response r = Response::Text(200, RenderStatusPage(views, clock_->Now()), "text/html; charset=utf-8");
  r.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  r.Header("Cache-Control", "no-store");
  return r;
}

}  // namespace tokenwarden::agent
