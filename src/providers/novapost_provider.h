// Nova Post API v1.0 as a Provider (PROTOCOLS.md section 2): trade the API
// key for a one-hour JWT, attach it as "Authorization: <jwt>", fail over
// between the equivalent base URLs.
#ifndef TOKENWARDEN_PROVIDERS_NOVAPOST_PROVIDER_H_
#define TOKENWARDEN_PROVIDERS_NOVAPOST_PROVIDER_H_

#include <memory>
#include <string>
#include <vector>

#include "http/client/http_client.h"
#include "tokenwarden/provider.h"
#include "tokenwarden/result.h"

namespace tokenwarden::providers {

inline constexpr std::string_view kNovaPostBaseUrl =
    "https://api.novapost.com/v.1.0";
inline constexpr std::string_view kNovaPoshtaBaseUrl =
    "https://api.novaposhta.ua/v.1.0";

// Refresh at the latest at exp - max(kNovaPostMinLead, kNovaPostLeadFraction
// * lifetime), spread by SpreadRefresh.
inline constexpr Duration kNovaPostMinLead = std::chrono::minutes(5);
inline constexpr double kNovaPostLeadFraction = 0.10;

struct NovaPostConfig {
  // Tried in order; the next one after a connect failure, a timeout or a 5xx.
  std::vector<std::string> base_urls = {std::string(kNovaPostBaseUrl),
                                        std::string(kNovaPoshtaBaseUrl)};
  Secret api_key;
  // How many tokens of this key may be alive at once. Enforced by the
  // TokenManager, which owns authorizations; exposed here for it. 2 lets a
  // renewed token overlap the old one; 1 leaves a gap at every renewal.
  int max_active_sessions = 2;
};

// A token that claims to live longer is refused as unreadable (bad_jwt).
inline constexpr long long kNovaPostLongestLifetimeSeconds = 366LL * 24 * 3600;

// The session from a 2xx authorization answer {"jwt": ...}. The token's
// lifetime (exp - iat) is anchored at our own `issued_at`, so a clock skew
// between us and Nova Post neither stretches nor cuts it; without iat, exp
// is taken as is. The token goes in the Authorization header, and
// upstream_state keeps the rest of the answer (without the token).
AuthorizeResult NovaPostSession(std::string_view body, TimePoint issued_at);

// Validates `config` (errors name the field: base_urls[i], api_key,
// max_active_sessions) and makes the provider.
Result<std::shared_ptr<Provider>> MakeNovaPostProvider(
    NovaPostConfig config, std::shared_ptr<http::HttpClient> client,
    std::shared_ptr<Clock> clock);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_NOVAPOST_PROVIDER_H_
