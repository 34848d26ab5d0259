#include "providers/alliance_expiry.h"

#include <optional>

#include "util/time_format.h"

namespace tokenwarden::providers {
namespace {

constexpr const char* kUtcField = "tokenExpirationDateTime";
constexpr const char* kKyivField = "tokenExpiration";

// The parsed field; `problem` gets a note when it is present but unreadable.
std::optional<TimePoint> ReadField(const nlohmann::json& payload,
                                   const char* name, std::string& problem) {
  auto it = payload.find(name);
  if (it == payload.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    problem +=
        std::string(problem.empty() ? "" : "; ") + name + " is not a string";
    return std::nullopt;
  }
  auto t = ParseTimestamp(it->get<std::string>());
  if (!t.ok()) {
    problem += std::string(problem.empty() ? "" : "; ") + name +
               " is unreadable: " + t.error().message;
    return std::nullopt;
  }
  return *t;
}

}  // namespace

AllianceExpiry ReadAllianceExpiry(const nlohmann::json& payload,
                                  TimePoint issued_at) {
  std::string problem;
  std::optional<TimePoint> utc = ReadField(payload, kUtcField, problem);
  std::optional<TimePoint> kyiv = ReadField(payload, kKyivField, problem);
  AllianceExpiry out;
  if (utc && kyiv) {
    out.expires_at = std::min(*utc, *kyiv);
    // Compared, not subtracted: two readable times may be 300 years apart,
    // which overflows a Duration (nanoseconds).
    constexpr auto kSecond = std::chrono::seconds(1);
    if (*utc > *kyiv + kSecond || *kyiv > *utc + kSecond) {
      out.warning = std::string(kUtcField) + " (" + FormatUtcIso(*utc) +
                    ") and " + kKyivField + " (" + FormatUtcIso(*kyiv) +
                    ") disagree; using the earlier";
    } else {
      out.expires_at = *utc;
    }
  } else if (utc || kyiv) {
    out.expires_at = utc ? *utc : *kyiv;
    out.warning = problem;  // empty when the other field was simply absent
  } else {
    out.expires_at = issued_at + kAllianceSessionLifetime;
    out.warning = "the answer states no expiry" +
                  (problem.empty() ? "" : " (" + problem + ")") +
                  "; assuming 24 h from the authorization request";
  }
  return out;
}

}  // namespace tokenwarden::providers
