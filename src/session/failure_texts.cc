#include "session/failure_texts.h"

#include <chrono>
#include <cstdio>

namespace tokenwarden::session {
namespace {

std::string InSeconds(TimePoint next, TimePoint now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string Cause(const Verdict& v) {
  std::string out = v.code.empty() ? "unknown" : v.code;
  if (!v.message.empty()) out += ": " + v.message;
  return out;
}

}  // namespace

std::string NeedsSupportMessage(const std::string& account, const Verdict& verdict) {
  return "account '" + account + "': the bank closed access (" + Cause(verdict) +
         "). tokenwarden will not authorize it again by itself. Ask Alliance Bank support to reopen "
         "access for this serviceCode, then run `tokenwarden authorize " + account + "`.";
}

std::string FailedMessage(const std::string& account, const Verdict& verdict) {
  return "account '" + account + "': the upstream refused the configuration (" + Cause(verdict) +
         "). Fix the account's configuration and reload, or run `tokenwarden authorize " + account +
         "` once it is fixed.";
}

std::string UnavailableMessage(const std::string& account, const Verdict& verdict,
                               TimePoint next_attempt, TimePoint now) {
  std::string out = "account '" + account + "': authorization failed (" + Cause(verdict) + ")";
  if (next_attempt > now) out += "; next attempt in " + InSeconds(next_attempt, now);
  return out + ".";
}

std::string NotYetMessage(const std::string& account, std::string_view state, TimePoint next_attempt,
                          TimePoint now) {
  std::string out = "account '" + account + "' has no valid session yet (" + std::string(state);
  if (next_attempt > now) out += "; next authorization in " + InSeconds(next_attempt, now);
  return out + ")";
}

}  // namespace tokenwarden::session
