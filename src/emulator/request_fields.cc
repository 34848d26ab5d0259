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

}  // namespace tokenwarden::emulator
