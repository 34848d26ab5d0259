// libFuzzer: the agent's TOML configuration, parsed and validated, with
// ${ENV} interpolation from a fixed environment in which some names are set
// (one to an empty value) and every other is not. A config either parses, and
// then has an account, or is refused with a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "agent/config.h"

namespace {

std::optional<std::string> FuzzEnv(const std::string& name) {
  if (name == "ALLIANCE_SERVICE_CODE") return "6f1c-code";
  if (name == "NOVAPOST_API_KEY") return "np-key";
  if (name == "PHP_CLIENT_TOKEN") return "0123456789abcdef0";
  if (name == "REDIS_PASSWORD") return "p@ss:w/rd";
  if (name == "EMPTY") return "";
  if (name == "NESTED") return "${NOVAPOST_API_KEY}";  // not interpolated again
  if (name == "LISTEN") return "127.0.0.1:8707";
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  static const tokenwarden::agent::EnvLookup kEnv = FuzzEnv;
  auto config = tokenwarden::agent::ParseConfig(input, "fuzz.toml", kEnv);
  if (config.ok()) {
    if (config->accounts.empty()) std::abort();
  } else if (config.error().message.empty()) {
    std::abort();
  }
  return 0;
}
