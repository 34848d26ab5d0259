#include "emulator/novapost_query.h"

namespace tokenwarden::emulator {

std::vector<std::string> QueryValues(std::string_view query, std::string_view name) {
  std::vector<std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (http::UrlDecode(pair.substr(0, eq)) == name && eq != std::string_view::npos) {
      out.push_back(http::UrlDecode(pair.substr(eq + 1)));
    }
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return out;
}

long long PositiveParam(const std::optional<std::string>& text, long long most, long long fallback) {
  if (!text) return fallback;
  if (text->empty() || text->size() > 9 || text->find_first_not_of("0123456789") != std::string::npos) return -1;
  long long n = std::stoll(*text);
  return n >= 1 && n <= most ? n : -1;
}

http::Response NovaPostInvalid(std::string_view field, std::string_view why) {
  return http::Response::Json(422, {{"message", "Validation error"}, {"errors", {{field, why}}}});
}

http::Response NovaPostNotFound(std::string_view field, std::string_view why) {
  return http::Response::Json(404, {{"message", "The specified resource was not found"}, {"errors", {{field, why}}}});
}

}  // namespace tokenwarden::emulator
