// An async HTTP/1.1 client for calls to upstreams: TLS always verified,
// keep-alive connections reused per origin, a timeout on every step, bounded
// answers, no redirects followed. Every failure is a Result error; no
// exception leaves Send().
#ifndef TOKENWARDEN_HTTP_CLIENT_HTTP_CLIENT_H_
#define TOKENWARDEN_HTTP_CLIENT_HTTP_CLIENT_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/client/url.h"
#include "http/message.h"
#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

namespace tokenwarden::http {

struct ClientRequest {
  std::string method = "GET";
  // Absolute (https://host[:port]/path?query); or, when `base` is set, what
  // follows the base in the URL ("/divisions?page=2").
  std::string url;
  // Sent as given; Host, Content-Length and Connection are the client's.
  // Values may be credentials: they never appear in an error.
  Headers headers;
  std::string body;
  // Set by callers that send many requests below one base URL, which is
  // then parsed once rather than on every request.
  std::shared_ptr<const BaseUrl> base;
  // 0: the whole answer is read, its body up to max_body_bytes. Otherwise
  // an answer whose body runs past this many bytes is returned as soon as
  // they have come, its `rest` reading the remainder; such a body has no
  // size limit, and each of its pieces must come within read_timeout.
  size_t stream_past = 0;
  // May share a connection with others (HttpClientOptions::pipeline_depth),
  // if a GET or HEAD without a body. Only from a coroutine whose executor
  // one thread runs (a server thread's context) or a strand: requests on
  // one pipeline take turns without a lock.
  bool pipeline = false;
};

struct ClientResponse {
  int status = 0;
  Headers headers;  // names lower-cased, in the order received
  std::string body;
  // Set only for an answer streamed (ClientRequest::stream_past): the rest
  // of the body after `body`. It holds the connection, which is closed
  // when it is released, read to the end or not.
  std::shared_ptr<BodyStream> rest;
  // The whole body's size as the answer declared it, when `body` does not
  // hold it all: with `rest`, and for the answer to a HEAD (no body).
  std::optional<uint64_t> length;

  // The first header of that (case-insensitive) name.
  std::optional<std::string_view> header(std::string_view name) const;
};

struct HttpClientOptions {
  // Trust: the system store, plus this PEM file of CA certificates if set.
  std::string ca_file;
  bool use_system_trust = true;
  // Plain http:// is allowed only to loopback hosts unless this is set.
  bool allow_insecure_http = false;

  Duration connect_timeout =
      std::chrono::seconds(10);  // resolve + connect + TLS handshake
  Duration write_timeout = std::chrono::seconds(30);  // the whole request
  Duration read_timeout = std::chrono::seconds(30);   // the whole response
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 4 * 1024 * 1024;

  // Kept-alive connections per origin (scheme, host, port) waiting for reuse,
  // and how long one may wait before it is closed.
  size_t max_idle_per_origin = 4;
  Duration idle_timeout = std::chrono::seconds(30);
  // Exchanges under way at once (0: no limit); more wait their turn. Keeps
  // a burst (every account authorizing after a start) from opening a
  // connection each and running out of descriptors or the upstream's patience.
  int max_in_flight = 0;
  // Up to this many GET and HEAD requests (without a body, and marked
  // ClientRequest::pipeline) on one connection at once, pipelined
  // (http/client/pipeline.h); 0 or 1: one request at a time. Other methods are never pipelined (RFC 9112 9.3.2).
  // A pipelined request given up unanswered, because the connection ended
  // before its turn, is sent once more on another connection.
  size_t pipeline_depth = 0;
};

// Error codes of Send():
//   kInvalidArgument   the URL does not parse (message names it, query
//   redacted) kPermissionDenied  plain http:// to a non-loopback host without
//   allow_insecure_http kUnavailable       resolve/connect refused, connection
//   reset or closed early kDeadlineExceeded  a connect, write or read timeout
//   kUnauthenticated   the TLS peer's certificate did not verify (names the
//   host) kResourceExhausted the answer's header or body passed its cap
//   kInternal          anything else (a malformed answer, a TLS setup failure)
//
// Thread-safety: Send() may be called concurrently from coroutines on any
// executors; a pooled connection is reused only on the execution context it
// was made on, and serves one request at a time. On a context that several
// threads run, call it from a strand: the timeouts' handlers run on the
// caller's executor, beside its reads and writes.
class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // One exchange. Any status is a success here (3xx are returned, not
  // followed); the caller judges it. A request on a reused connection that
  // fails before any answer arrives is retried once on a new connection only
  // when the method is GET or HEAD, so a POST is never sent twice.
  virtual boost::asio::awaitable<Result<ClientResponse>> Send(
      ClientRequest request) = 0;

  // Whether Send() would accept this URL (parse and scheme policy), without
  // any I/O. For validating configuration early.
  virtual Status CheckUrl(std::string_view url) const = 0;

  // Connections opened so far (for tests and metrics).
  virtual uint64_t connections_opened() const = 0;

  // Closes every idle pooled connection. REQUIRES: called before an
  // io_context this client has run on is destroyed, unless the client itself
  // is destroyed first (idle sockets belong to the context they were made on).
  virtual void CloseIdle() = 0;
};

// Fails when ca_file cannot be read or the TLS context cannot be set up.
Result<std::shared_ptr<HttpClient>> MakeHttpClient(
    const HttpClientOptions& options = {});

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_HTTP_CLIENT_H_
