#include "testing/http_call.h"

#include "http/sync_call.h"

namespace tokenwarden::testing {

HttpReply HttpCall(int port, const std::string& method, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  HttpReply reply;
  auto r = http::SyncCall("127.0.0.1:" + std::to_string(port), method, target, headers, body);
  if (!r.ok()) return reply;  // status 0: no answer
  reply.status = r->status;
  reply.headers = std::move(r->headers);
  reply.body = std::move(r->body);
  return reply;
}

}  // namespace tokenwarden::testing
