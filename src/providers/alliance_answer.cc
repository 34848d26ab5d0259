#include "providers/alliance_answer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "jose/jwe.h"
#include "providers/alliance_classifier.h"
#include "providers/alliance_expiry.h"
#include "providers/error_body.h"
#include "providers/verdicts.h"

namespace tokenwarden::providers {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// Five base64url parts separated by four dots.
bool LooksLikeCompactJwe(std::string_view s) {
  return std::count(s.begin(), s.end(), '.') == 4 &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                  c == '_' || c == '.';
         });
}

// The compact JWE of the answer, or nullopt when it holds none.
std::optional<std::string> FindJwe(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    for (const char* field : {"jwe", "data"}) {
      auto it = json.find(field);
      if (it != json.end() && it->is_string()) return it->get<std::string>();
    }
    return std::nullopt;
  }
  if (json.is_string()) return json.get<std::string>();
  std::string_view bare = Trim(body);
  if (LooksLikeCompactJwe(bare)) return std::string(bare);
  return std::nullopt;
}

// A JSON object, or the remains of an error body that name a msgCode.
bool IsPlainError(std::string_view body) {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false)
             .is_object() ||
         ParseErrorBody(body).has_value();
}

std::string NonEmptyString(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

AuthorizeResult DecodeAllianceAuthorization(const UpstreamResponse& response,
                                            const jose::EcKey& key,
                                            const std::string& api_version,
                                            TimePoint issued_at,
                                            TimePoint now) {
  std::optional<std::string> jwe;
  if (response.status >= 200 && response.status < 300)
    jwe = FindJwe(response.body);
  if (!jwe) {
    bool plain_error = response.status < 200 || response.status >= 300 ||
                       IsPlainError(response.body);
    if (plain_error)
      return AuthorizeFailed(ClassifyAllianceAuthorizeFailure(response, now));
    return AuthorizeFailed(
        "malformed_answer",
        "authorizing failed: the bank's answer (HTTP " +
            std::to_string(response.status) + ", " +
            std::to_string(response.body.size()) +
            " bytes) is neither JSON nor a compact JWE; truncated?");
  }
  auto decrypted = jose::DecryptCompact(*jwe, key, jose::KeyAlg::kEcdhEsA256Kw,
                                        jose::ContentEnc::kA256Gcm);
  if (!decrypted.ok()) {
    return AuthorizeFailed("bad_jwe",
                           "authorizing failed: the answer's JWE did not "
                           "decrypt with the account's private key (" +
                               decrypted.error().message +
                               "); if this persists, check the public key "
                               "registered with the bank");
  }
  return AllianceSessionFromPayload(decrypted->plaintext.reveal(), api_version,
                                    issued_at);
}

AuthorizeResult AllianceSessionFromPayload(std::string_view plaintext,
                                           const std::string& api_version,
                                           TimePoint issued_at) {
  auto payload = nlohmann::json::parse(plaintext, nullptr,
                                       /*allow_exceptions=*/false);
  if (!payload.is_object())
    return AuthorizeFailed(
        "bad_jwe",
        "authorizing failed: the decrypted answer is not a JSON object");
  std::string device_id = NonEmptyString(payload, "deviceId");
  std::string refresh_token = NonEmptyString(payload, "refreshToken");
  if (device_id.empty() || refresh_token.empty()) {
    return AuthorizeFailed(
        "incomplete_answer",
        std::string("authorizing failed: the decrypted answer has no ") +
            (device_id.empty() ? "deviceId" : "refreshToken"));
  }

  AllianceExpiry expiry = ReadAllianceExpiry(payload, issued_at);
  AuthorizeResult result;
  Session& s = result.session.emplace();
  s.provider = "alliance";
  s.issued_at = issued_at;
  s.expires_at = expiry.expires_at;
  s.headers.push_back({"x-api_version", Secret(api_version)});
  s.headers.push_back({"x-device_id", Secret(device_id)});
  s.headers.push_back({"x-refresh_token", Secret(refresh_token)});
  if (!expiry.warning.empty()) {
    payload[kWarningField] = expiry.warning;
    result.verdict.code = "expiry_warning";
    result.verdict.message = expiry.warning;
  }
  // Replaced, not thrown on: a byte that is not UTF-8 must not end the process.
  s.upstream_state = Secret(payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  SecureZero(refresh_token.data(), refresh_token.size());
  result.verdict.action = Action::kOk;
  return result;
}

}  // namespace tokenwarden::providers
