// The Alliance Bank e-commerce API as a Provider (PROTOCOLS.md section 1):
// authorize a "virtual device" with the merchant's serviceCode, decrypt the
// JWE answer with the merchant's private key, attach x-device_id and
// x-refresh_token, and judge answers by the bank's msgCodes.
#ifndef TOKENWARDEN_PROVIDERS_ALLIANCE_PROVIDER_H_
#define TOKENWARDEN_PROVIDERS_ALLIANCE_PROVIDER_H_

#include <memory>
#include <optional>
#include <string>

#include "http/client/http_client.h"
#include "jose/jwk.h"
#include "tokenwarden/provider.h"
#include "tokenwarden/result.h"

namespace tokenwarden::providers {

inline constexpr Duration kAllianceMinRefresh = std::chrono::hours(1);
inline constexpr Duration kAllianceMaxRefresh = std::chrono::hours(23);
// A session is never planned for refresh later than this before it expires.
inline constexpr Duration kAllianceExpiryMargin = std::chrono::minutes(10);

struct AllianceConfig {
  std::string base_url;  // https://api-ecom-prod.bankalliance.ua (no trailing
                         // path needed)
  Secret service_code;   // the merchant's serviceCode (a UUID)
  std::optional<jose::EcKey>
      private_key;  // the merchant's EC key, with its private half
  std::string api_version = "v1";  // sent as x-api_version
  Duration refresh_every = std::chrono::hours(12);
};

// Validates `config` (errors name the field: base_url, service_code,
// private_key, api_version, refresh_every) and makes the provider. The
// client carries TLS trust and the http:// policy; the clock gives
// issued_at.
Result<std::shared_ptr<Provider>> MakeAllianceProvider(
    AllianceConfig config, std::shared_ptr<http::HttpClient> client,
    std::shared_ptr<Clock> clock);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_ALLIANCE_PROVIDER_H_
