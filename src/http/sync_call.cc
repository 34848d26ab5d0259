#include "http/sync_call.h"

#include <utility>
// (keep <utility> before Boost 1.74 headers)
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tokenwarden::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;

template <class Stream>
Result<SyncReply> Exchange(Stream& stream, const std::string& host, const std::string& method,
                           const std::string& target, const Headers& headers, const std::string& body) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, host);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  bhttp::write(stream, req, ec);
  if (ec == beast::error::timeout) return MakeError(ErrorCode::kDeadlineExceeded, "timed out sending to " + host);
  if (ec) return MakeError(ErrorCode::kUnavailable, "sending to " + host + ": " + ec.message());
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  bhttp::read(stream, buffer, parser, ec);
  if (ec == beast::error::timeout) return MakeError(ErrorCode::kDeadlineExceeded, "timed out waiting for " + host);
  if (ec) return MakeError(ErrorCode::kUnavailable, "reading from " + host + ": " + ec.message());
  auto& res = parser.get();
  SyncReply reply;
  reply.status = static_cast<int>(res.result_int());
  for (const auto& f : res) reply.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  reply.body = std::move(res.body());
  return reply;
}

}  // namespace

Result<SyncReply> SyncCall(const std::string& address, const std::string& method, const std::string& target,
                           const Headers& headers, const std::string& body, Duration timeout) {
  boost::asio::io_context ioc;
  auto steady = std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
  beast::error_code ec;
  if (address.rfind("unix:", 0) == 0) {
    std::string path = address.substr(5);
    beast::basic_stream<boost::asio::local::stream_protocol> stream(ioc);
    stream.expires_after(steady);
    stream.socket().connect(boost::asio::local::stream_protocol::endpoint(path), ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot connect to " + address + ": " + ec.message());
    return Exchange(stream, "localhost", method, target, headers, body);
  }
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return MakeError(ErrorCode::kInvalidArgument, "address '" + address + "' is not HOST:PORT or unix:/path");
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto ip = boost::asio::ip::make_address(host, ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "address '" + address + "' needs an IP address");
  int port = 0;
  try {
    port = std::stoi(address.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port <= 0 || port > 65535) return MakeError(ErrorCode::kInvalidArgument, "address '" + address + "' has no valid port");
  beast::tcp_stream stream(ioc);
  stream.expires_after(steady);
  stream.connect(boost::asio::ip::tcp::endpoint(ip, static_cast<uint16_t>(port)), ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "cannot connect to " + address + ": " + ec.message());
  auto reply = Exchange(stream, address, method, target, headers, body);
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return reply;
}

}  // namespace tokenwarden::http
