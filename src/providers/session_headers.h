// A session's headers as they leave the process.
#ifndef TOKENWARDEN_PROVIDERS_SESSION_HEADERS_H_
#define TOKENWARDEN_PROVIDERS_SESSION_HEADERS_H_

#include <string>
#include <utility>
#include <vector>

#include "tokenwarden/session.h"

namespace tokenwarden::providers {

// Appends the session's headers to `out` with their values revealed, in
// order: the one place a provider turns its credentials into plain strings,
// for the wire.
void AppendRevealedHeaders(const Session& session,
                           std::vector<std::pair<std::string, std::string>>& out);

}  // namespace tokenwarden::providers

#endif  // TOKENWARDEN_PROVIDERS_SESSION_HEADERS_H_
