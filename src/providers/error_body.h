// Error answers as upstreams write them: the bank's
// {"msgCode","msgText",...}, OAuth2's {"error","error_description"}, or
// {"message"}. Shared by every provider's classifier.
#ifndef TOKENWARDEN_PROVIDERS_ERROR_BODY_H_
#define TOKENWARDEN_PROVIDERS_ERROR_BODY_H_

#include <optional>
#include <string>
#include <string_view>

namespace tokenwarden::providers {

struct UpstreamErrorBody {
  std::string code;  // msgCode, or OAuth2's error; "" when the body has none
  std::string text;  // msgText, error_description or message; "" when none
  bool complete = true;  // false: recovered from a truncated or malformed body
};

// The longest error text kept, in bytes; a longer one is cut between
// characters (the bank writes in Ukrainian) and ends in "...".
inline constexpr size_t kMaxErrorTextChars = 200;

// The code and text of an error body. A body that is not a JSON object
// (truncated, HTML, empty) yields the code only when a `"msgCode":"..."`
// pair survives in it; nullopt when neither code nor text was found. The
// returned text is cut to kMaxErrorTextChars (it goes into messages).
std::optional<UpstreamErrorBody> ParseErrorBody(std::string_view body);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_ERROR_BODY_H_
