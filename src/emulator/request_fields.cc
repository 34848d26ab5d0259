#include "emulator/request_fields.h"

namespace tokenwarden::emulator {

std::string StringField(const nlohmann::json& b, const char* name, size_t most, bool required, std::string* out) {
  auto it = b.find(name);
  if (it == b.end() || it->is_null()) return required ? std::string(name) + " is required" : "";
  if (!it->is_string()) return std::string(name) + " must be a string";
  const auto& v = it->get_ref<const std::string&>();
  if (required && v.empty()) return std::string(name) + " must not be empty";
  if (v.size() > most) return std::string(name) + " must be at most " + std::to_string(most) + " characters";
  *out = v;
  return "";
}

std::string StringOrEmpty(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<int64_t> IntField(const nlohmann::json& body, const char* name, int64_t lo, int64_t hi,
                         std::optional<int64_t> fallback) {
  auto it = body.find(name);
  if (it == body.end() && fallback) return *fallback;
  if (it == body.end() || !it->is_number_integer() || *it < lo || *it > hi) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(name) + " must be a whole number from " + std::to_string(lo) + " to " +
                         std::to_string(hi));
  }
  return it->get<int64_t>();
}

}  // namespace tokenwarden::emulator
