// Test support: one blocking HTTP/1.1 exchange with a server on loopback.
#ifndef TOKENWARDEN_TESTING_HTTP_CALL_H_
#define TOKENWARDEN_TESTING_HTTP_CALL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace tokenwarden::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (connection failed or dropped)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

HttpReply HttpCall(int port, const std::string& method, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers = {},
                   const std::string& body = "");

// A connected TCP socket to 127.0.0.1:port, or -1.
int Connect(int port);

// Sends `raw` on a new connection and returns everything read back until
// the server closes it (10 s at most): for requests a well-behaved client
// cannot make (a declared body too large to send whole).
std::string RawExchange(int port, const std::string& raw);

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_HTTP_CALL_H_
