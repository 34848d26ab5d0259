// The HTTP request and response as handlers see them: plain values, so that
// a handler is a function that can be tested without sockets.
#ifndef TOKENWARDEN_HTTP_MESSAGE_H_
#define TOKENWARDEN_HTTP_MESSAGE_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tokenwarden::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // "/path?query"
  Headers headers;      // names lower-cased
  std::string body;
  std::string peer;     // "127.0.0.1:53211" or "unix"
  bool peer_is_loopback = false;

  std::string_view path() const;   // target before '?'
  std::string_view query() const;  // after '?', or ""
  // The first header of that (case-insensitive) name.
  std::optional<std::string_view> header(std::string_view name) const;
  // The decoded value of a query parameter; nullopt when absent.
  std::optional<std::string> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // Fault injection: close the connection without answering.
  bool drop_connection = false;

  static Response Json(int status, const nlohmann::json& body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  Response& Header(std::string name, std::string value);
};

// %XX and '+' decoding for query strings.
std::string UrlDecode(std::string_view in);

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_MESSAGE_H_
