// When an Alliance Bank session expires, from the two expiry fields of the
// decrypted authorization answer.
#ifndef TOKENWARDEN_PROVIDERS_ALLIANCE_EXPIRY_H_
#define TOKENWARDEN_PROVIDERS_ALLIANCE_EXPIRY_H_

#include <nlohmann/json.hpp>
#include <string>

#include "tokenwarden/clock.h"

namespace tokenwarden::providers {

// The documented lifetime, assumed when the answer states none.
inline constexpr Duration kAllianceSessionLifetime = std::chrono::hours(24);

struct AllianceExpiry {
  TimePoint expires_at{};
  std::string warning;  // "" when both fields were present, parsed and agreed
};

// Rules:
// - tokenExpirationDateTime (UTC) is preferred; tokenExpiration (Kyiv time)
//   is used when the other is absent or unreadable;
// - when both are read and differ by more than a second, the earlier wins
//   (never keep a session past either) and the warning says so;
// - when neither is usable, issued_at + 24 h, with a warning.
AllianceExpiry ReadAllianceExpiry(const nlohmann::json& payload,
                                  TimePoint issued_at);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_ALLIANCE_EXPIRY_H_
