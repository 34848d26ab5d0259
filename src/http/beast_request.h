// The server's Request from a parsed Beast request: header names lowercased,
// the body moved out. Shared by the server and the request fuzzer, so that
// the fuzzer sees requests exactly as handlers do.
#ifndef TOKENWARDEN_HTTP_BEAST_REQUEST_H_
#define TOKENWARDEN_HTTP_BEAST_REQUEST_H_

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cctype>
#include <iterator>
#include <string>
#include <utility>

#include "http/message.h"
#include "util/ascii.h"

namespace tokenwarden::http {

inline Request FromBeast(boost::beast::http::request<boost::beast::http::string_body>& msg, std::string peer,
                         bool peer_is_loopback) {
  Request request;
  request.method = std::string(msg.method_string());
  request.target = std::string(msg.target());
  request.headers.reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
  for (const auto& field : msg) {
    std::string name(field.name_string());
    AsciiLowerInPlace(name);
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(msg.body());
  request.peer = std::move(peer);
  request.peer_is_loopback = peer_is_loopback;
  return request;
}

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_BEAST_REQUEST_H_
