// Pieces shared by the compact serializations (JWS, JWT): splitting on dots
// and reading a base64url JSON object. Private to jose/.
#ifndef TOKENWARDEN_JOSE_COMPACT_H_
#define TOKENWARDEN_JOSE_COMPACT_H_

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "tokenwarden/result.h"

namespace tokenwarden::jose::internal {

// Splits on '.', keeping empty parts ("a..b" -> 3 parts).
std::vector<std::string_view> SplitCompact(std::string_view s);

// Decodes a base64url part that must hold a JSON object; `what` names it in
// errors ("JWS header").
Result<nlohmann::json> DecodeJsonObject(std::string_view part, std::string_view what);

}  // namespace tokenwarden::jose::internal

#endif  // TOKENWARDEN_JOSE_COMPACT_H_
