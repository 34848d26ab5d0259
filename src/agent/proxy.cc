#include "agent/proxy.h"

#include <algorithm>
#include <cctype>

#include "agent/replies.h"
#include "util/ascii.h"
#include "util/log.h"

namespace tokenwarden::agent {
namespace {

// Headers that belong to one hop, or to the agent, never forwarded.
// Expect too: the agent has the whole body and sends it at once.
bool HopHeader(std::string_view name) {
  static constexpr std::string_view kHop[] = {"host", "connection", "keep-alive", "proxy-connection",
                                              "transfer-encoding", "te", "trailer", "upgrade", "content-length",
                                              "expect", "tokenwarden-request", "authorization", "x-request_id",
                                              "x-request-id"};
  for (std::string_view h : kHop) {
    if (EqualsIgnoreCase(name, h)) return true;
  }
  return false;
}

// An answer's body past this is passed on as it comes rather than held:
// an authorization rejection is a small JSON, wholly within it.
constexpr size_t kHeldAnswerBytes = 64 * 1024;

http::ClientRequest Upstream(const AccountRuntime& account, const http::Request& request, std::string_view path,
                             const Session& session) {
  http::ClientRequest up;
  up.method = request.method;
  up.base = account.proxy_base;  // parsed once, not per request
  up.url.reserve(path.size() + 1 + request.query().size());
  up.url.append(path);
  if (!request.query().empty()) up.url.append("?").append(request.query());
  up.headers.reserve(session.headers.size() + 1 + request.headers.size());
  account.manager->provider().AppendRequestHeaders(session, up.headers);
  const size_t attached = up.headers.size();
  for (const auto& header : request.headers) {
    const std::string& name = header.first;  // a named reference: clang < 16 cannot capture a structured binding
    if (HopHeader(name)) continue;
    bool ours = std::any_of(up.headers.begin(), up.headers.begin() + static_cast<std::ptrdiff_t>(attached),
                            [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
    if (!ours) up.headers.push_back(header);
  }
  up.body = request.body;
  up.stream_past = kHeldAnswerBytes;
  up.pipeline = true;  // on a server thread's own context (http/server.h); used if the account pipelines
  return up;
}

// The rest of a streamed answer, which notes under the account an upstream
// that breaks off half-way (the client then sees the body end short).
class WatchedRest final : public http::BodyStream {
 public:
  WatchedRest(std::shared_ptr<http::BodyStream> rest, std::shared_ptr<AccountRuntime> account,
              MetricsRegistry& metrics)
      : rest_(std::move(rest)), account_(std::move(account)), metrics_(metrics) {}

  boost::asio::awaitable<Result<std::string>> Next() override {
    auto piece = co_await rest_->Next();
    if (!piece.ok()) {
      log::Warn("proxy_answer_cut_short", {{"account", account_->id}, {"error", piece.error().ToString()}});
      metrics_
          .GetCounter("tokenwarden_proxy_answers_cut_short_total",
                      "Streamed answers whose upstream broke off before the body's end", {{"account", account_->id}})
          .Increment();
    }
    co_return piece;
  }

 private:
  std::shared_ptr<http::BodyStream> rest_;
  std::shared_ptr<AccountRuntime> account_;
  MetricsRegistry& metrics_;
};

// `rest` and `length`: the body's remainder, streamed (see kHeldAnswerBytes).
http::Response Downstream(UpstreamResponse answer, std::shared_ptr<http::BodyStream> rest,
                          std::optional<uint64_t> length, uint64_t generation, bool retried) {
  http::Response r;
  r.status = answer.status;
  r.headers = std::move(answer.headers);  // filtered in place: no second vector
  std::erase_if(r.headers, [](const auto& header) { return HopHeader(header.first); });
  r.body = std::move(answer.body);
  r.rest = std::move(rest);
  r.length = length;
  r.Header("Tokenwarden-Generation", std::to_string(generation));
  if (retried) r.Header("Tokenwarden-Retried", "1");
  return r;
}

http::Response TransportFailure(const AccountRuntime& account, const Error& error) {
  if (error.code == ErrorCode::kResourceExhausted) {
    // Bodies stream (kHeldAnswerBytes): only a header can be too large.
    return ErrorResponse(502, "upstream_answer_too_large",
                         error.message + ". Not retried: the upstream took the request and answered; check its "
                                         "state before repeating it. The proxy reads each answer's header whole; "
                                         "for an answer whose header is this large, call the upstream yourself "
                                         "with the headers from GET /v1/token/" +
                             account.id + ".",
                         account.id);
  }
  bool timeout = error.code == ErrorCode::kDeadlineExceeded;
  return ErrorResponse(timeout ? 504 : 502, timeout ? "upstream_timeout" : "upstream_unreachable",
                       error.message + ". Not retried: the request may have reached the upstream, and payment "
                                       "calls are not idempotent; check its state before repeating it.",
                       account.id);
}

// Counts the answer by its status, and returns it.
http::Response Counted(AccountRuntime& account, MetricsRegistry& metrics, const ForwardStyle& style,
                       http::Response r) {
  (account.*style.answers)
      .Get(r.status,
           [&]() -> Counter& {
             return metrics.GetCounter(style.metric, style.help,
                                       {{"account", account.id}, {"status", std::to_string(r.status)}});
           })
      .Increment();
  return r;
}

void CountUpstreamError(const AccountRuntime& account, MetricsRegistry& metrics, const Verdict& v) {
  metrics.GetCounter("tokenwarden_upstream_errors_total", "Upstream answers judged as errors, by msgCode",
                     {{"account", account.id}, {"code", v.code.empty() ? "unknown" : v.code}})
      .Increment();
}

}  // namespace

const ForwardStyle kProxyStyle = {&NoSessionResponse, &AccountRuntime::proxy_requests,
                                  "tokenwarden_proxy_requests_total",
                                  "Requests through the proxy, by the status answered"};

// Every local of a coroutine takes room in its frame, allocated per
// request (GCC keeps them all there): the answers are made by calls.
boost::asio::awaitable<http::Response> ProxyRequest(std::shared_ptr<AccountRuntime> held,
                                                    const http::Request& request, std::string_view path,
                                                    MetricsRegistry& metrics, Duration session_wait,
                                                    const ForwardStyle& style) {
  AccountRuntime& account = *held;  // held for the whole call: a reload may drop it from the directory
  std::shared_ptr<const Session> session = account.manager->current();
  if (!session) {
    auto waited = co_await account.manager->WaitForSession(session_wait);
    if (!waited.ok()) co_return Counted(account, metrics, style, style.no_session(account, waited.error(), *account.clock));
    session = *waited;
  }
  account.manager->RecordUse();
  bool retried = false;
  while (true) {
    auto answer = co_await account.client->Send(Upstream(account, request, path, *session));
    if (!answer.ok()) {
      log::Warn("proxy_upstream_failed", {{"account", account.id}, {"error", answer.error().ToString()}});
      co_return Counted(account, metrics, style, TransportFailure(account, answer.error()));
    }
    UpstreamResponse upstream{answer->status, std::move(answer->headers), std::move(answer->body)};
    Verdict v = account.manager->provider().Classify(upstream);
    if (v.action != Action::kOk && v.action != Action::kPassThrough) CountUpstreamError(account, metrics, v);
    if (v.action == Action::kReauthorize && !retried) {
      log::Info("proxy_rejected", {{"account", account.id}, {"generation", session->generation}, {"code", v.code}});
      auto fresh = co_await account.manager->Invalidate(session->generation, session_wait);
      if (!fresh.ok()) co_return Counted(account, metrics, style, style.no_session(account, fresh.error(), *account.clock));
      session = *fresh;
      retried = true;
      continue;
    }
    if (v.action == Action::kNeedsSupport) {
      // The bank closed access: let the manager find out (one authorization,
      // which ends in needs_support) rather than keep handing out a dead session.
      (void)co_await account.manager->Invalidate(session->generation, std::chrono::seconds(0));
    }
    // A streamed answer was judged by its beginning; one given up above (a
    // retry) closes its connection.
    std::shared_ptr<http::BodyStream> rest;
    if (answer->rest) rest = std::make_shared<WatchedRest>(std::move(answer->rest), held, metrics);
    co_return Counted(account, metrics, style,
                      Downstream(std::move(upstream), std::move(rest), answer->length, session->generation, retried));
  }
}

}  // namespace tokenwarden::agent
