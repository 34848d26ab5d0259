// Reading the fields of a merchant's request (create-order, REFUND) the way
// the bank's tables describe them. Each reader returns "" when the field is
// fine, else the reason, naming the field, for the error's msgText.
#ifndef TOKENWARDEN_EMULATOR_REQUEST_FIELDS_H_
#define TOKENWARDEN_EMULATOR_REQUEST_FIELDS_H_

#include <nlohmann/json.hpp>
#include <string>

namespace tokenwarden::emulator {

// A string of at most `most` characters; required ones must not be empty.
// Absent (or null) and optional: "" and `*out` untouched.
std::string StringField(const nlohmann::json& body, const char* name, size_t most, bool required, std::string* out);

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_REQUEST_FIELDS_H_
