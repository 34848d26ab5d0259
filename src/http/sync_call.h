// One blocking HTTP/1.1 exchange with a local server (the agent, for the
// operator commands; test servers): TCP "host:port" or "unix:/path", plain
// HTTP only, one connection per call.
#ifndef TOKENWARDEN_HTTP_SYNC_CALL_H_
#define TOKENWARDEN_HTTP_SYNC_CALL_H_

#include <string>

#include "http/message.h"
#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

namespace tokenwarden::http {

struct SyncReply {
  int status = 0;
  Headers headers;  // as received
  std::string body;
};

// Errors: kInvalidArgument (the address does not parse), kUnavailable (no
// connection, or it broke), kDeadlineExceeded.
Result<SyncReply> SyncCall(const std::string& address, const std::string& method, const std::string& target,
                           const Headers& headers = {}, const std::string& body = "",
                           Duration timeout = std::chrono::seconds(30));

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_SYNC_CALL_H_
