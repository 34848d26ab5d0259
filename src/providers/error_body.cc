#include "providers/error_body.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "util/utf8.h"

namespace tokenwarden::providers {
namespace {

std::string StringField(const nlohmann::json& object,
                        std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = object.find(name);
    if (it != object.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

// Codes become log fields and metric labels: 1-100 characters of
// A-Z a-z 0-9 _ . - ("b_expired_token", "invalid_client").
bool LooksLikeCode(std::string_view code) {
  if (code.empty() || code.size() > 100) return false;
  for (char c : code) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

// The value of a `"msgCode" : "..."` pair in text that is not JSON (a
// truncated answer); "" unless the value is complete and looks like a code.
std::string SalvageMsgCode(std::string_view body) {
  constexpr std::string_view kKey = "\"msgCode\"";
  size_t at = body.find(kKey);
  if (at == std::string_view::npos) return "";
  std::string_view rest = body.substr(at + kKey.size());
  auto skip_spaces = [&rest] {
    while (!rest.empty() &&
           std::isspace(static_cast<unsigned char>(rest.front())))
      rest.remove_prefix(1);
  };
  skip_spaces();
  if (rest.empty() || rest.front() != ':') return "";
  rest.remove_prefix(1);
  skip_spaces();
  if (rest.empty() || rest.front() != '"') return "";
  rest.remove_prefix(1);
  size_t end = rest.find('"');
  if (end == std::string_view::npos) return "";
  std::string_view code = rest.substr(0, end);
  return LooksLikeCode(code) ? std::string(code) : "";
}

}  // namespace

std::optional<UpstreamErrorBody> ParseErrorBody(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  UpstreamErrorBody out;
  if (json.is_object()) {
    out.code = StringField(json, {"msgCode", "error"});
    out.text = StringField(json, {"msgText", "error_description", "message"});
    // {"error": "some sentence"}: a description, not a code.
    if (!out.code.empty() && !LooksLikeCode(out.code)) {
      if (out.text.empty()) out.text = out.code;
      out.code.clear();
    }
  } else {
    out.complete = false;
    out.code = SalvageMsgCode(body);
  }
  if (out.code.empty() && out.text.empty()) return std::nullopt;
  if (out.text.size() > kMaxErrorTextChars)
    out.text = std::string(Utf8Prefix(out.text, kMaxErrorTextChars)) + "...";
  return out;
}

}  // namespace tokenwarden::providers
