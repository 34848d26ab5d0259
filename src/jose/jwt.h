// JWT (RFC 7519): read claims without verifying (for tokens whose key we do
// not hold, such as Nova Post's), and HS256 sign/verify where we hold the key
// (the emulator).
#ifndef TOKENWARDEN_JOSE_JWT_H_
#define TOKENWARDEN_JOSE_JWT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"
#include "tokenwarden/secret.h"

namespace tokenwarden::jose {

struct JwtClaims {
  nlohmann::json header;
  nlohmann::json claims;  // the whole payload object
  std::optional<TimePoint> iat;
  std::optional<TimePoint> exp;
  std::optional<TimePoint> nbf;
};

struct JwtRequirements {
  bool require_exp = true;   // the agent needs exp to schedule a refresh
  bool require_iat = false;  // Nova Post's tokens carry it; the lifetime uses it
};

// Decodes header and claims WITHOUT checking the signature (or its alg): the
// caller must not trust anything in it beyond scheduling. Accepts
// "header.payload" with or without the signature part. Header and payload
// must be JSON objects; iat/exp/nbf are filled in when they are NumericDates
// (a claim of another type is left out, and fails a requirement).
Result<JwtClaims> DecodeUnverified(std::string_view token, JwtRequirements req = {});

// Verifies an HS256 JWT (alg pinned; constant-time MAC comparison), then
// decodes it as DecodeUnverified does.
Result<JwtClaims> VerifyHs256(std::string_view token, const Secret& key,
                              JwtRequirements req = {});

// Header {"alg":"HS256","typ":"JWT"}.
Result<std::string> SignHs256(const nlohmann::json& claims, const Secret& key);

}  // namespace tokenwarden::jose

#endif  // TOKENWARDEN_JOSE_JWT_H_
