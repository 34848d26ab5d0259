#include "jose/compact.h"

#include "jose/base64url.h"

namespace tokenwarden::jose::internal {

std::vector<std::string_view> SplitCompact(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

Result<nlohmann::json> DecodeJsonObject(std::string_view part, std::string_view what) {
  auto bytes = Base64UrlDecode(part);
  if (!bytes.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(what) + ": " + bytes.error().message);
  }
  nlohmann::json j = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, std::string(what) + " is not a JSON object");
  }
  return j;
}

}  // namespace tokenwarden::jose::internal
