// Reading the fields of a client's request (create-order, REFUND, a Nova
// Post shipment, the control API) the way the upstreams' tables describe
// them. Errors name the field, for the error's text.
#ifndef TOKENWARDEN_EMULATOR_REQUEST_FIELDS_H_
#define TOKENWARDEN_EMULATOR_REQUEST_FIELDS_H_

#include <nlohmann/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "tokenwarden/result.h"

namespace tokenwarden::emulator {

// A string of at most `most` characters; required ones must not be empty.
// Absent (or null) and optional: "" and `*out` untouched. Returns "" when
// the field is fine, else the reason, naming the field.
std::string StringField(const nlohmann::json& body, const char* name, size_t most, bool required, std::string* out);

// The field when it is a string, else "" (absent, null or another type):
// for fields that only pick something (a serviceCode to count against, the
// refund's jwe), where a wrong type is as good as none. nlohmann's value()
// would throw on one, and a client's request must never cost a 500.
// REQUIRES: `body` is an object.
std::string StringOrEmpty(const nlohmann::json& body, const char* name);

// A whole number from `lo` to `hi`; when the field is absent, `fallback`, or
// an error if there is none (the field is required). Errors name the field
// (missing, a fraction, a string or a number out of range).
// REQUIRES: `body` is an object.
Result<int64_t> IntField(const nlohmann::json& body, const char* name, int64_t lo, int64_t hi,
                         std::optional<int64_t> fallback);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_REQUEST_FIELDS_H_
