// One client connection to an origin, plain TCP or TLS over it, carrying one
// request at a time. Internal to the HTTP client.
#ifndef TOKENWARDEN_HTTP_CLIENT_CONNECTION_H_
#define TOKENWARDEN_HTTP_CLIENT_CONNECTION_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/client/http_client.h"
#include "http/client/url.h"
#include "http/message_parser.h"
#include "http/watchdog.h"

namespace tokenwarden::http {

// Sets up `parser` for an answer under `options`' limits; `head`: the
// request was a HEAD, so the answer has no body.
void LimitAnswer(ResponseParser& parser, const HttpClientOptions& options, bool head);

// Whether `parser` has read an interim answer whole: a 1xx other than 101
// (which would switch protocols, never asked for: the client sends no
// Upgrade). The final answer follows it, for a parser of its own.
bool InterimAnswer(const ResponseParser& parser);

// Thread-safety: none; one coroutine uses a connection at a time (the pool
// hands it to one request, which gives it back when done).
class Connection {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using TlsStream = boost::beast::ssl_stream<Socket>;
  using Watchdog = http::Watchdog<Socket>;

  // Resolves, connects and, for https, handshakes with the certificate
  // checked against the trust store and `url.host` (SNI set for names).
  // `tls` is used only for https (and may be null for http). All within
  // options.connect_timeout, on the calling coroutine's executor.
  static boost::asio::awaitable<Result<std::unique_ptr<Connection>>> Open(
      const Url& url, boost::asio::ssl::context* tls,
      const HttpClientOptions& options);

  // Writes `request` to the target base.url.target + `rest` and reads the
  // answer. After a failure, answer_started() and failed_writing() tell a
  // caller whether the request may be sent again on another connection.
  boost::asio::awaitable<Result<ClientResponse>> Exchange(
      const BaseUrl& base, std::string_view rest, const ClientRequest& request,
      const HttpClientOptions& options);

  // For a pipeline (http/client/pipeline.h), whose requests go out in one
  // write and whose answers come back in order:
  // - SetTarget sets `target` to base.url.target + `rest` ("/" if empty).
  // - ReadAnswer reads the next answer, to that request, as Exchange reads
  //   one, with the same limits and errors; reusable() then also allows
  //   bytes past it (the next answers).
  // - WriteNow writes what a plain socket takes at once (see
  //   http/stream_io.h), advancing `data`; WriteLater writes all of `data`
  //   and then calls `done`. Neither is watched: an answer that does not
  //   come within read_timeout, because its request could not go, closes
  //   the connection.
  // - Close closes it: what is under way fails.
  static void SetTarget(std::string& target, const BaseUrl& base, std::string_view rest);
  boost::asio::awaitable<Result<ClientResponse>> ReadAnswer(
      const BaseUrl& base, std::string_view rest, const ClientRequest& request,
      const HttpClientOptions& options);
  bool WriteNow(boost::asio::const_buffer& data, boost::system::error_code& ec);
  void WriteLater(boost::asio::const_buffer data, std::function<void(boost::system::error_code)> done);
  void Close();
  // Bytes read and not yet parsed: on a pipeline, the next answers' beginning.
  size_t buffered() const { return buffer_.size(); }

  // Ends any step's watch: a handler still queued finds nothing to cut off.
  ~Connection();

  // After a successful Exchange: whether the answer's body goes on past
  // what it returned (ClientRequest::stream_past); then ReadMore reads it.
  bool streaming() const { return parser_ && !parser_->is_done(); }

  // The next piece of a streamed body, within `read_timeout`; an empty
  // string once the body is complete. REQUIRES: streaming().
  boost::asio::awaitable<Result<std::string>> ReadMore(Duration read_timeout);

  // After a successful Exchange: whether the server keeps the connection open.
  bool reusable() const { return reusable_; }
  bool answer_started() const { return answer_started_; }
  bool failed_writing() const { return failed_writing_; }

  // A non-blocking check that the peer has neither closed an idle connection
  // nor sent anything unasked; a connection that fails it is not reused.
  bool LooksIdleAndOpen();

  // The execution context the socket belongs to; pooled connections are
  // reused only by coroutines of the same context.
  const boost::asio::execution_context* context() const { return context_; }

 private:
  Connection(std::unique_ptr<Socket> plain, std::unique_ptr<TlsStream> tls,
             std::shared_ptr<Watchdog> watchdog,
             const boost::asio::execution_context* context)
      : plain_(std::move(plain)),
        tls_(std::move(tls)),
        watchdog_(std::move(watchdog)),
        context_(context) {}

  Socket& tcp();
  template <class Stream>
  boost::asio::awaitable<Result<ClientResponse>> ExchangeOn(
      Stream& stream, const BaseUrl& base, std::string_view rest,
      const ClientRequest& request, const HttpClientOptions& options, bool write);

  template <class Stream>
  boost::asio::awaitable<Result<std::string>> ReadMoreOn(Stream& stream, Duration read_timeout);

  std::unique_ptr<Socket> plain_;  // exactly one of plain_, tls_
  std::unique_ptr<TlsStream> tls_;
  std::shared_ptr<Watchdog> watchdog_;  // watches the socket of either
  const boost::asio::execution_context* context_;
  boost::beast::flat_buffer buffer_;
  std::string target_;  // the request's target; its memory kept for the next one
  std::string wire_;    // the request being written; likewise
  // The answer being read; kept here past Exchange when it is streamed.
  std::optional<ResponseParser> parser_;
  std::optional<Url> streamed_url_;  // for the errors of ReadMore
  bool reusable_ = false;
  bool answer_started_ = false;
  bool failed_writing_ = false;
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_CONNECTION_H_
