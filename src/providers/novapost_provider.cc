#include "providers/novapost_provider.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "http/client/url.h"
#include "jose/jwt.h"
#include "providers/base_url.h"
#include "providers/novapost_classifier.h"
#include "providers/refresh_plan.h"
#include "providers/session_headers.h"
#include "providers/verdicts.h"
#include "util/interned.h"

namespace tokenwarden::providers {

AuthorizeResult NovaPostSession(std::string_view body, TimePoint issued_at) {
  auto answer =
      nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto jwt = answer.is_object() ? answer.find("jwt") : answer.end();
  if (!answer.is_object() || jwt == answer.end() || !jwt->is_string() ||
      jwt->get_ref<const std::string&>().empty()) {
    return AuthorizeFailed(
        "malformed_answer",
        "authorizing failed: Nova Post's answer has no \"jwt\" string");
  }
  Secret token(jwt->get<std::string>());
  auto claims = jose::DecodeUnverified(
      token.reveal(), {.require_exp = true, .require_iat = false});
  if (!claims.ok())
    return AuthorizeFailed(
        "bad_jwt", "authorizing failed: Nova Post's token is unreadable: " +
                       claims.error().message);
  // In whole seconds: exp and iat may each lie 285 years from 1970, and
  // their difference in nanoseconds would overflow.
  long long lifetime =
      ToUnixSeconds(*claims->exp) -
      (claims->iat ? ToUnixSeconds(*claims->iat) : ToUnixSeconds(issued_at));
  if (lifetime <= 0)
    return AuthorizeFailed(
        "bad_jwt", "authorizing failed: Nova Post's token is already expired");
  if (lifetime > kNovaPostLongestLifetimeSeconds)
    return AuthorizeFailed(
        "bad_jwt", "authorizing failed: Nova Post's token claims to live " +
                       std::to_string(lifetime) +
                       " s; more than a year is not believable (they live "
                       "an hour)");
  TimePoint expires_at = claims->iat
                             ? issued_at + std::chrono::seconds(lifetime)
                             : *claims->exp;

  AuthorizeResult result;
  result.verdict.action = Action::kOk;
  Session& s = result.session.emplace();
  s.provider = "novapost";
  s.issued_at = issued_at;
  s.expires_at = expires_at;
  s.headers.push_back(
      {"Authorization", token});  // the docs send the bare token, no "Bearer"
  // The token is kept once, in its header (a third of a restored session's
  // memory was its second copy); the rest of the answer is kept.
  answer.erase("jwt");
  s.upstream_state = Secret(answer.dump());
  return result;
}

namespace {

class NovaPostProvider : public Provider {
 public:
  NovaPostProvider(NovaPostConfig config,
                   std::shared_ptr<http::HttpClient> client,
                   std::shared_ptr<Clock> clock)
      : shared_(Interned().Get(Shared{std::move(config.base_urls),
                                      std::move(client), std::move(clock)})),
        api_key_(std::move(config.api_key)) {}

  std::string_view name() const override { return "novapost"; }

  boost::asio::awaitable<AuthorizeResult> Authorize() override {
    Verdict last;
    for (const std::string& base : shared_->base_urls) {
      http::ClientRequest request;
      request.url = base + "/clients/authorization?apiKey=" +
                    http::UrlEncode(api_key_.reveal());
      request.headers = {{"Accept", "application/json"}};
      TimePoint issued_at = shared_->clock->Now();
      auto answer = co_await shared_->client->Send(std::move(request));
      if (!answer.ok()) {
        last = VerdictForTransportError(answer.error());
        if (IsFailoverError(answer.error())) continue;
        co_return AuthorizeFailed(std::move(last));
      }
      UpstreamResponse response{answer->status, std::move(answer->headers),
                                std::move(answer->body)};
      Verdict v = ClassifyNovaPostAnswer(response, NovaPostCall::kAuthorize,
                                         shared_->clock->Now());
      if (v.action == Action::kOk)
        co_return NovaPostSession(response.body, issued_at);
      if (response.status >= 500) {
        last = std::move(v);
        continue;
      }
      co_return AuthorizeFailed(std::move(v));
    }
    if (shared_->base_urls.size() > 1)
      last.message =
          "every Nova Post base URL failed; the last: " + last.message;
    co_return AuthorizeFailed(std::move(last));
  }

  TimePoint PlanRefresh(const Session& session) const override {
    Duration lifetime = session.expires_at - session.issued_at;
    auto tenth =
        std::chrono::duration_cast<Duration>(lifetime * kNovaPostLeadFraction);
    Duration lead = std::max<Duration>(kNovaPostMinLead, tenth);
    TimePoint latest = std::max(session.issued_at, session.expires_at - lead);
    return SpreadRefresh(session.account, session.issued_at, latest);
  }

  Verdict Classify(const UpstreamResponse& response) const override {
    return ClassifyNovaPostAnswer(response, NovaPostCall::kApi, shared_->clock->Now());
  }

  void AppendRequestHeaders(const Session& session,
                            std::vector<std::pair<std::string, std::string>>& out) const override {
    AppendRevealedHeaders(session, out);
  }

  bool HasCredential(std::string_view presented) const override { return api_key_.Equals(presented); }

  // The answer as the upstream gave it: the rest of it is kept, the token
  // in its header.
  Result<std::string> AuthorizationAnswer(const Session& session) const override {
    auto answer = nlohmann::json::parse(session.upstream_state.reveal(), nullptr, false);
    if (!answer.is_object()) answer = nlohmann::json::object();
    for (const auto& h : session.headers) {
      if (h.name == "Authorization") answer["jwt"] = h.value.reveal();
    }
    if (!answer.contains("jwt")) {
      return MakeError(ErrorCode::kFailedPrecondition, "the session holds no token to give");
    }
    return answer.dump();
  }

 private:
  // What the accounts of an agent have in common, held once: base URLs,
  // client and clock copied per account were about 120 B each.
  struct Shared {
    std::vector<std::string> base_urls;
    std::shared_ptr<http::HttpClient> client;
    std::shared_ptr<Clock> clock;
    bool operator==(const Shared&) const = default;
  };
  static LastInterned<Shared>& Interned() {
    static LastInterned<Shared> interned;
    return interned;
  }

  const std::shared_ptr<const Shared> shared_;
  const Secret api_key_;
};

Status Validate(NovaPostConfig& config, const http::HttpClient& client) {
  if (config.base_urls.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "novapost base_urls is empty");
  for (size_t i = 0; i < config.base_urls.size(); ++i) {
    TW_RETURN_IF_ERROR(
        NormalizeBaseUrl(config.base_urls[i], client,
                         "novapost base_urls[" + std::to_string(i) + "]"));
  }
  if (config.api_key.empty())
    return MakeError(ErrorCode::kInvalidArgument, "novapost api_key is empty");
  if (config.max_active_sessions < 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "novapost max_active_sessions must be at least 1");
  }
  return OkStatus();
}

}  // namespace

Result<std::shared_ptr<Provider>> MakeNovaPostProvider(
    NovaPostConfig config, std::shared_ptr<http::HttpClient> client,
    std::shared_ptr<Clock> clock) {
  if (!client || !clock)
    return MakeError(ErrorCode::kInvalidArgument,
                     "novapost provider needs an HTTP client and a clock");
  TW_RETURN_IF_ERROR(Validate(config, *client));
  return std::shared_ptr<Provider>(std::make_shared<NovaPostProvider>(
      std::move(config), std::move(client), std::move(clock)));
}

}  // namespace tokenwarden::providers
