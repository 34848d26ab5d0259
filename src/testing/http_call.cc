#include "testing/http_call.h"

#include <utility>
// (keep <utility> before Boost 1.74 headers)
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tokenwarden::testing {

HttpReply HttpCall(int port, const std::string& method, const std::string& target,
                   const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  HttpReply reply;
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                static_cast<uint16_t>(port)), ec);
  if (ec) return reply;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return reply;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return reply;
  auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  for (const auto& f : res) reply.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  reply.body = res.body();
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return reply;
}

}  // namespace tokenwarden::testing
