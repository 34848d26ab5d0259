#include "providers/session_headers.h"

namespace tokenwarden::providers {

void AppendRevealedHeaders(const Session& session,
                           std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& h : session.headers) out.emplace_back(h.name, std::string(h.value.reveal()));
}

}  // namespace tokenwarden::providers
