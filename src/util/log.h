// Structured logs: one JSON object per line on stderr, for the agent and the
// emulator.
//
//   {"ts":"2026-11-23T01:02:03.456Z","level":"info","event":"authorized","account":"shop",...}
//
// Fields are JSON values, so a Secret cannot slip into a line by accident:
// it has no conversion to JSON, and reveal() in a log call is a review flag.
#ifndef TOKENWARDEN_UTIL_LOG_H_
#define TOKENWARDEN_UTIL_LOG_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "tokenwarden/result.h"

namespace tokenwarden::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// Sets the threshold ("trace", "debug", "info", "warn", "error", "off").
Status SetLevel(std::string_view level);
bool Enabled(Level level);

// Writes one line. Thread-safe; lines from different threads never mix.
void Event(Level level, std::string_view event, const nlohmann::json& fields = nlohmann::json::object());

inline void Info(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
  Event(Level::kInfo, event, fields);
}
inline void Warn(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
  Event(Level::kWarn, event, fields);
}
inline void Error(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
  Event(Level::kError, event, fields);
}
inline void Debug(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
  Event(Level::kDebug, event, fields);
}

// For tests: the JSON line Event would write, without writing it.
std::string FormatLine(Level level, std::string_view event, const nlohmann::json& fields);

}  // namespace tokenwarden::log

#endif  // TOKENWARDEN_UTIL_LOG_H_
