// What Nova Post's calls share: reading their query parameters, and their
// documented error answers ("Validation error", "The specified resource was
// not found"), whose body is the documented Error shape {"errors": {field:
// text}} with the response's description as "message".
#ifndef TOKENWARDEN_EMULATOR_NOVAPOST_QUERY_H_
#define TOKENWARDEN_EMULATOR_NOVAPOST_QUERY_H_

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

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_NOVAPOST_QUERY_H_
