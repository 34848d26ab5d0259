#include "util/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

#include "util/time_format.h"

namespace tokenwarden::log {
namespace {

std::atomic<int> g_threshold{static_cast<int>(Level::kInfo)};

constexpr std::string_view kNames[] = {"trace", "debug", "info", "warn", "error", "off"};

spdlog::logger& Logger() {
  // stderr, pattern "%v": the line is already complete JSON. spdlog's
  // stderr_sink_mt serializes writers, so lines never interleave.
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("tokenwarden",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *logger;
}

}  // namespace

Status SetLevel(std::string_view level) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == level) {
      g_threshold.store(static_cast<int>(i));
      return OkStatus();
    }
  }
  return MakeError(ErrorCode::kInvalidArgument,
                   "log level '" + std::string(level) + "' is not one of trace, debug, info, "
                                                        "warn, error, off");
}

bool Enabled(Level level) {
  return level != Level::kOff && static_cast<int>(level) >= g_threshold.load(std::memory_order_relaxed);
}

std::string FormatLine(Level level, std::string_view event, const nlohmann::json& fields) {
  nlohmann::ordered_json line;
  line["ts"] = FormatUtcIso(std::chrono::system_clock::now());
  line["level"] = kNames[static_cast<int>(level)];
  line["event"] = event;
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) {
      if (k != "ts" && k != "level" && k != "event") line[k] = v;
    }
  }
  // Invalid UTF-8 from a peer is replaced, never thrown on.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Event(Level level, std::string_view event, const nlohmann::json& fields) {
  if (!Enabled(level)) return;
  Logger().info(FormatLine(level, event, fields));
}

}  // namespace tokenwarden::log
