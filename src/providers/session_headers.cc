#include "providers/session_headers.h"

namespace tokenwarden::providers {

std::vector<std::pair<std::string, std::string>> RevealHeaders(
    const Session& session) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(session.headers.size() + 1);  // room for a per-request header
  for (const auto& h : session.headers)
    out.emplace_back(h.name, std::string(h.value.reveal()));
  return out;
}

}  // namespace tokenwarden::providers
