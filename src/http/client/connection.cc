#include "http/client/connection.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cctype>
#include <cstdint>
#include <functional>
#include <limits>

#include "http/client/transport_error.h"
#include "http/message_parser.h"
#include "http/stream_io.h"
#include "http/wire.h"

namespace tokenwarden::http {
namespace {

// An upstream read takes up to this much at once (http/stream_io.h ReadSpace):
// an answer of a few KiB in one system call, not eight.
constexpr size_t kUpstreamReadBytes = 16 * 1024;

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Resolves within the time left before `deadline`: the resolver has no
// timeout of its own, so a timer cancels it.
awaitable<Result<tcp::resolver::results_type>> Resolve(
    const Url& url, std::chrono::steady_clock::time_point deadline,
    Duration timeout) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  asio::steady_timer timer(executor);
  timer.expires_at(deadline);
  timer.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  boost::system::error_code ec;
  auto results =
      co_await resolver.async_resolve(url.host, std::to_string(url.port),
                                      asio::redirect_error(use_awaitable, ec));
  timer.cancel();
  if (ec) co_return TransportError(ec, "resolving the host of", url, timeout);
  co_return results;
}

}  // namespace

awaitable<Result<std::unique_ptr<Connection>>> Connection::Open(
    const Url& url, asio::ssl::context* tls, const HttpClientOptions& options) {
  auto executor = co_await asio::this_coro::executor;
  const asio::execution_context* context =
      &asio::query(executor, asio::execution::context);
  auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          options.connect_timeout);
  auto resolved = co_await Resolve(url, deadline, options.connect_timeout);
  if (!resolved.ok()) co_return std::move(resolved).error();

  beast::tcp_stream connecting(executor);
  connecting.expires_at(deadline);
  boost::system::error_code ec;
  co_await connecting.async_connect(*resolved, asio::redirect_error(use_awaitable, ec));
  if (ec)
    co_return TransportError(ec, "connecting to", url, options.connect_timeout);
  connecting.expires_never();
  auto plain = std::make_unique<Connection::Socket>(connecting.release_socket());
  plain->set_option(tcp::no_delay(true), ec);  // small requests; do not wait for an ACK
  if (!url.is_https()) {
    plain->non_blocking(true, ec);  // for WriteNow; TLS writes wait as before
    auto watchdog = std::make_shared<Connection::Watchdog>(*plain);
    co_return std::unique_ptr<Connection>(
        new Connection(std::move(plain), nullptr, std::move(watchdog), context));
  }

  if (!tls) co_return MakeError(ErrorCode::kInternal, "no TLS context for " + url.Redacted());
  auto stream = std::make_unique<TlsStream>(std::move(*plain), *tls);
  auto watchdog = std::make_shared<Connection::Watchdog>(stream->next_layer());
  SSL* ssl = stream->native_handle();
  // The peer must present a certificate for exactly this name or address;
  // OpenSSL's own check, so that a mismatch reads as one in the error.
  if (IsIpLiteral(url.host)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str()) !=
        1) {
      co_return MakeError(
          ErrorCode::kInternal,
          "cannot set the TLS peer address check for '" + url.host + "'");
    }
  } else {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, url.host.c_str()) != 1 ||
        SSL_set_tlsext_host_name(ssl, url.host.c_str()) != 1) {
      co_return MakeError(
          ErrorCode::kInternal,
          "cannot set the TLS peer name check for '" + url.host + "'");
    }
  }
  SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
  watchdog->Arm(executor, deadline);
  co_await stream->async_handshake(asio::ssl::stream_base::client,
                                   asio::redirect_error(use_awaitable, ec));
  ec = watchdog->Explain(ec);
  watchdog->Disarm();
  if (ec) co_return TlsHandshakeError(ec, SSL_get_verify_result(ssl), url);
  co_return std::unique_ptr<Connection>(
      new Connection(nullptr, std::move(stream), std::move(watchdog), context));
}

bool InterimAnswer(const ResponseParser& parser) {
  int status = parser.get().status;
  return parser.is_done() && status >= 100 && status < 200 && status != 101;
}

void LimitAnswer(ResponseParser& parser, const HttpClientOptions& options, bool head) {
  parser.header_limit(static_cast<uint32_t>(std::min<size_t>(options.max_header_bytes, UINT32_MAX)));
  parser.body_limit(options.max_body_bytes);
  if (head) parser.skip(true);
}

Connection::~Connection() {
  if (watchdog_) watchdog_->Disarm();
}

Connection::Socket& Connection::tcp() { return plain_ ? *plain_ : tls_->next_layer(); }

// Not a coroutine itself: it hands over ExchangeOn's, one frame fewer per
// request. The caller awaits it at once, while its arguments live.
awaitable<Result<ClientResponse>> Connection::Exchange(
    const BaseUrl& base, std::string_view rest, const ClientRequest& request,
    const HttpClientOptions& options) {
  if (tls_) return ExchangeOn(*tls_, base, rest, request, options, /*write=*/true);
  return ExchangeOn(*plain_, base, rest, request, options, /*write=*/true);
}

awaitable<Result<ClientResponse>> Connection::ReadAnswer(
    const BaseUrl& base, std::string_view rest, const ClientRequest& request,
    const HttpClientOptions& options) {
  if (tls_) return ExchangeOn(*tls_, base, rest, request, options, /*write=*/false);
  return ExchangeOn(*plain_, base, rest, request, options, /*write=*/false);
}

void Connection::SetTarget(std::string& target, const BaseUrl& base, std::string_view rest) {
  target.assign(base.url.target).append(rest);
  if (target.empty()) target = "/";
}

bool Connection::WriteNow(asio::const_buffer& data, boost::system::error_code& ec) {
  return plain_ ? http::WriteNow(*plain_, data, ec) : false;
}

void Connection::WriteLater(asio::const_buffer data, std::function<void(boost::system::error_code)> done) {
  auto handler = [done = std::move(done)](boost::system::error_code ec, size_t) { done(ec); };
  if (tls_) {
    asio::async_write(*tls_, data, std::move(handler));
  } else {
    asio::async_write(*plain_, data, std::move(handler));
  }
}

void Connection::Close() {
  boost::system::error_code ignored;
  tcp().close(ignored);
}

template <class Stream>
awaitable<Result<ClientResponse>> Connection::ExchangeOn(
    Stream& stream, const BaseUrl& base, std::string_view rest,
    const ClientRequest& request, const HttpClientOptions& options, bool write) {
  reusable_ = false;
  answer_started_ = false;
  failed_writing_ = false;
  SetTarget(target_, base, rest);
  // Errors name the whole URL (redacted), made only when one is needed.
  auto url = [&] {
    Url whole = base.url;
    whole.target = target_;
    return whole;
  };
  boost::system::error_code ec;
  if (write) {
    wire_ = WireRequest(request.method, target_, base.host_header, request.headers, request.body, std::move(wire_));
    watchdog_->Arm(co_await asio::this_coro::executor, Watchdog::Clock::now() + options.write_timeout);
    asio::const_buffer data = asio::buffer(wire_);
    if (!http::WriteNow(stream, data, ec)) {
      co_await asio::async_write(stream, data, asio::redirect_error(use_awaitable, ec));
    }
    KeepOrRelease(wire_);
    ec = watchdog_->Explain(ec);
    if (ec) {
      watchdog_->Disarm();
      failed_writing_ = true;
      co_return TransportError(ec, "writing to", url(), options.write_timeout);
    }
    watchdog_->Move(Watchdog::Clock::now() + options.read_timeout);
  } else {
    watchdog_->Arm(co_await asio::this_coro::executor, Watchdog::Clock::now() + options.read_timeout);
  }
  const bool head = request.method == "HEAD";
  bool interim = false;  // an interim answer came: the request was seen
  while (true) {  // past any interim answer (1xx: 100 Continue, 103 Early Hints): the final one follows
    ResponseParser& parser = parser_.emplace();
    LimitAnswer(parser, options, head);
    // Read on in pieces, never held whole. (Not boost::none: Beast 1.74
    // compares a declared length with it as "greater than nothing", a limit.)
    if (request.stream_past > 0) parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    // One step for the whole answer (or, streamed, its beginning): a declared
    // Content-Length past body_limit already fails when the header ends,
    // before any body is read.
    auto enough = [&] { return request.stream_past > 0 && parser.get().body.size() >= request.stream_past; };
    bool done = ParseBuffered(buffer_, parser, /*header_only=*/false, ec);
    bool midway = false;  // a read of this answer came: try the next at once (ReadNow)
    while (!done && !enough()) {
      size_t n = 0;
      if (!(midway && ReadNow(stream, buffer_, kUpstreamReadBytes, n, ec))) {
        n = co_await stream.async_read_some(ReadSpace(buffer_, kUpstreamReadBytes), asio::redirect_error(use_awaitable, ec));
      }
      midway = true;
      done = Received(buffer_, parser, n, /*header_only=*/false, ec);
    }
    if (ec || !InterimAnswer(parser)) break;
    interim = true;
  }
  ResponseParser& parser = *parser_;
  ec = watchdog_->Explain(ec);
  watchdog_->Disarm();
  answer_started_ = interim || parser.got_some();
  if (ec)
    co_return TransportError(ec, "reading the answer from", url(), options.read_timeout,
                             {options.max_header_bytes, options.max_body_bytes});

  ClientResponse response = std::move(parser.get());
  // The declared length, where the body does not hold it all.
  if (streaming() || head) {
    if (auto declared = parser.content_length()) response.length = *declared;
  }
  if (streaming()) {
    streamed_url_ = url();
    parser.get().body.clear();  // moved from; the rest is appended to it
    co_return response;
  }
  // Bytes past the answer are one nobody asked for, except on a pipeline,
  // where they begin the next answer.
  reusable_ = parser.keep_alive() && (buffer_.size() == 0 || !write);
  co_return response;
}

awaitable<Result<std::string>> Connection::ReadMore(Duration read_timeout) {
  if (tls_) return ReadMoreOn(*tls_, read_timeout);
  return ReadMoreOn(*plain_, read_timeout);
}

template <class Stream>
awaitable<Result<std::string>> Connection::ReadMoreOn(Stream& stream, Duration read_timeout) {
  ResponseParser& parser = *parser_;
  std::string& body = parser.get().body;
  if (body.empty() && !parser.is_done()) {
    boost::system::error_code ec;
    watchdog_->Arm(co_await asio::this_coro::executor, Watchdog::Clock::now() + read_timeout);
    bool done = ParseBuffered(buffer_, parser, /*header_only=*/false, ec);
    while (!done && body.empty()) {
      // The answer is under way: a read first tries at once (ReadNow).
      size_t n = 0;
      if (!ReadNow(stream, buffer_, kUpstreamReadBytes, n, ec)) {
        n = co_await stream.async_read_some(ReadSpace(buffer_, kUpstreamReadBytes), asio::redirect_error(use_awaitable, ec));
      }
      done = Received(buffer_, parser, n, /*header_only=*/false, ec);
    }
    ec = watchdog_->Explain(ec);
    watchdog_->Disarm();
    if (ec) co_return TransportError(ec, "reading the rest of the answer from", *streamed_url_, read_timeout);
  }
  std::string piece;
  piece.swap(body);  // at most what one read brought, 64 KiB
  co_return piece;
}

bool Connection::LooksIdleAndOpen() {
  char byte;
  ssize_t n =
      ::recv(tcp().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // 0: the peer closed; >0: bytes nobody asked for (a TLS close_notify, a
  // late answer). Only "would block" means idle and open.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace tokenwarden::http
