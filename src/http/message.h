// The HTTP request and response as handlers see them: plain values, so that
// a handler is a function that can be tested without sockets.
#ifndef TOKENWARDEN_HTTP_MESSAGE_H_
#define TOKENWARDEN_HTTP_MESSAGE_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenwarden/result.h"

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

// The rest of a body too large to hold at once, read piece by piece as it
// is passed on: the HTTP client hands one out for an answer past
// ClientRequest::stream_past, and the server writes one after `body`.
//
// Thread-safety: none; one coroutine reads it, on the executor of the
// coroutine that received it.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece, never empty; an empty string once the body is complete.
  // An error: the body cannot be completed (the sender broke off, or a
  // piece took longer than the read timeout).
  virtual boost::asio::awaitable<Result<std::string>> Next() = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, `body` is only the beginning: the server writes it, then each
  // piece of `rest`. With `length` (the whole body's size) the answer
  // carries Content-Length; without, it is chunked (HTTP/1.1) or runs to
  // the connection's close (HTTP/1.0). A `rest` that fails cuts the
  // connection, so that the client sees the body end short.
  std::shared_ptr<BodyStream> rest;
  std::optional<uint64_t> length;
  // To a HEAD request the server writes the header alone, with
  // Content-Length: `length` if set, else the size of `body`.
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
