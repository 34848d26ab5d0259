#include "providers/alliance_provider.h"

#include <nlohmann/json.hpp>

#include "jose/jwe.h"
#include "providers/alliance_answer.h"
#include "providers/alliance_classifier.h"
#include "providers/base_url.h"
#include "providers/refresh_plan.h"
#include "providers/request_id.h"
#include "providers/session_headers.h"
#include "providers/verdicts.h"

namespace tokenwarden::providers {
namespace {

constexpr std::string_view kAuthorizePath =
    "/api-gateway/authorize_virtual_device";

class AllianceProvider : public Provider {
 public:
  AllianceProvider(AllianceConfig config,
                   std::shared_ptr<http::HttpClient> client,
                   std::shared_ptr<Clock> clock)
      : config_(std::move(config)),
        client_(std::move(client)),
        clock_(std::move(clock)) {}

  std::string_view name() const override { return "alliance"; }

  boost::asio::awaitable<AuthorizeResult> Authorize() override {
    http::ClientRequest request;
    request.method = "POST";
    request.url = config_.base_url + std::string(kAuthorizePath);
    request.headers = {{"x-api_version", config_.api_version},
                       {"Content-Type", "application/json"},
                       {"x-request_id", NewRequestId()}};
    request.body =
        nlohmann::json{{"serviceCode", config_.service_code.reveal()}}.dump();
    // The bank counts the 24 h from its receipt of this request; taking the
    // time before sending keeps our idea of the expiry on the safe side.
    TimePoint issued_at = clock_->Now();
    auto answer = co_await client_->Send(std::move(request));
    if (!answer.ok())
      co_return AuthorizeFailed(VerdictForTransportError(answer.error()));
    UpstreamResponse response{answer->status, std::move(answer->headers),
                              std::move(answer->body)};
    co_return DecodeAllianceAuthorization(response, *config_.private_key,
                                          config_.api_version, issued_at,
                                          clock_->Now());
  }

  TimePoint PlanRefresh(const Session& session) const override {
    TimePoint latest = std::min(session.issued_at + config_.refresh_every,
                                session.expires_at - kAllianceExpiryMargin);
    return SpreadRefresh(session.account, session.issued_at, latest);
  }

  Verdict Classify(const UpstreamResponse& response) const override {
    return ClassifyAllianceAnswer(response, clock_->Now());
  }

  void AppendRequestHeaders(const Session& session,
                            std::vector<std::pair<std::string, std::string>>& out) const override {
    AppendRevealedHeaders(session, out);
    out.emplace_back("x-request_id", NewRequestId());
  }

  bool HasCredential(std::string_view presented) const override {
    return config_.service_code.Equals(presented);
  }

  // The bank's payload as it was decrypted (without our own warning field),
  // encrypted anew to the merchant's key: the same answer, readable by the
  // same holder, without keeping the bank's ~1 KiB JWE beside every
  // session.
  Result<std::string> AuthorizationAnswer(const Session& session) const override {
    auto payload = nlohmann::json::parse(session.upstream_state.reveal(), nullptr, false);
    if (!payload.is_object() || !payload.contains("deviceId")) {
      return MakeError(ErrorCode::kFailedPrecondition, "the session holds no authorization answer to give");
    }
    payload.erase(kWarningField);
    Secret plaintext(payload.dump());
    TW_ASSIGN_OR_RETURN(std::string jwe, jose::EncryptCompact(plaintext.reveal(), *config_.private_key));
    return nlohmann::json{{"jwe", std::move(jwe)}}.dump();
  }

 private:
  const AllianceConfig config_;
  const std::shared_ptr<http::HttpClient> client_;
  const std::shared_ptr<Clock> clock_;
};

Status Validate(AllianceConfig& config, const http::HttpClient& client) {
  TW_RETURN_IF_ERROR(
      NormalizeBaseUrl(config.base_url, client, "alliance base_url"));
  if (config.service_code.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "alliance service_code is empty");
  if (!config.private_key)
    return MakeError(ErrorCode::kInvalidArgument,
                     "alliance private_key is missing");
  if (!config.private_key->has_private()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "alliance private_key has no private half (\"d\"); the "
                     "public JWK is what the bank gets");
  }
  if (config.api_version.empty())
    return MakeError(ErrorCode::kInvalidArgument,
                     "alliance api_version is empty");
  if (config.refresh_every < kAllianceMinRefresh ||
      config.refresh_every > kAllianceMaxRefresh) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "alliance refresh_every must be between 1h and 23h");
  }
  return OkStatus();
}

}  // namespace

Result<std::shared_ptr<Provider>> MakeAllianceProvider(
    AllianceConfig config, std::shared_ptr<http::HttpClient> client,
    std::shared_ptr<Clock> clock) {
  if (!client || !clock)
    return MakeError(ErrorCode::kInvalidArgument,
                     "alliance provider needs an HTTP client and a clock");
  TW_RETURN_IF_ERROR(Validate(config, *client));
  return std::shared_ptr<Provider>(std::make_shared<AllianceProvider>(
      std::move(config), std::move(client), std::move(clock)));
}

}  // namespace tokenwarden::providers
