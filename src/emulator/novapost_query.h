// What Nova Post's calls share: reading their query parameters, and their
// documented error answers ("Validation error", "The specified resource was
// not found"), whose body is the documented Error shape {"errors": {field:
// text}} with the response's description as "message".
#ifndef TOKENWARDEN_EMULATOR_NOVAPOST_QUERY_H_
#define TOKENWARDEN_EMULATOR_NOVAPOST_QUERY_H_

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace tokenwarden::emulator {

// Every value of a query parameter that may repeat ("countryCodes[]").
std::vector<std::string> QueryValues(std::string_view query, std::string_view name);

// A whole number from 1 to `most`, or `fallback` when absent; -1 when bad.
long long PositiveParam(const std::optional<std::string>& text, long long most, long long fallback);

// 422 naming the field.
http::Response NovaPostInvalid(std::string_view field, std::string_view why);

// 404 naming what was not found.
http::Response NovaPostNotFound(std::string_view field, std::string_view why);

// Page `page` (from 1) of `limit` of `found`, each rendered by `render`, in
// Nova Post's list envelope (the OpenAPI text's lists of divisions and of
// shipments): {"current_page", "last_page", "per_page", "total", "from",
// "to", "items"}; from and to are 1-based and null on an empty page.
template <class T, class Render>
http::Response NovaPostPage(const std::vector<const T*>& found, long long page, long long limit, Render render) {
  const size_t per_page = static_cast<size_t>(limit);
  const size_t first = static_cast<size_t>(page - 1) * per_page;
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = first; i < found.size() && items.size() < per_page; ++i) items.push_back(render(*found[i]));
  const size_t total = found.size();
  nlohmann::json from = items.empty() ? nlohmann::json() : nlohmann::json(first + 1);
  nlohmann::json to = items.empty() ? nlohmann::json() : nlohmann::json(first + items.size());
  return http::Response::Json(200, {{"current_page", page},
                                    {"last_page", std::max<size_t>(1, (total + per_page - 1) / per_page)},
                                    {"per_page", limit},
                                    {"total", total},
                                    {"from", from},
                                    {"to", to},
                                    {"items", items}});
}

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_NOVAPOST_QUERY_H_
