// One client connection to an origin, plain TCP or TLS over it, carrying one
// request at a time. Internal to the HTTP client.
#ifndef TOKENWARDEN_HTTP_CLIENT_CONNECTION_H_
#define TOKENWARDEN_HTTP_CLIENT_CONNECTION_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "http/client/http_client.h"
#include "http/client/url.h"

namespace tokenwarden::http {

// Cuts a connection off when the step under way (handshake, exchange)
// overruns its deadline: it closes the socket, which ends the pending
// operation. One timer per connection, armed once per step; moving the
// deadline costs nothing unless it comes earlier (Beast's tcp_stream arms and
// cancels a timer around every read and write).
//
// A connection moves between strands from one request to the next. The
// timer's handler runs on the executor of the coroutine that armed it, so it
// never races the operations it cuts off; a handler left over from an earlier
// step sees the generation moved on and touches nothing but that atomic.
// Handlers hold the watchdog by shared_ptr: it may outlive its connection.
class Watchdog : public std::enable_shared_from_this<Watchdog> {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Watchdog(boost::asio::ip::tcp::socket& socket)
      : socket_(&socket), timer_(socket.get_executor()) {}

  // Starts a step on `executor` (the calling coroutine's) that must end by
  // `deadline`.
  void Arm(const boost::asio::any_io_executor& executor, Clock::time_point deadline);
  // Gives the step under way a new deadline.
  void Move(Clock::time_point deadline);
  // Ends the step.
  void Disarm();
  // Whether the step timed out; its operation's error reads as a timeout.
  boost::system::error_code Explain(boost::system::error_code ec) const;

 private:
  void Wait();
  void OnTimer(uint64_t generation, boost::system::error_code ec);

  boost::asio::ip::tcp::socket* socket_;
  boost::asio::steady_timer timer_;
  std::atomic<uint64_t> generation_{0};
  // Touched only on the executor of the step under way.
  boost::asio::any_io_executor executor_;
  Clock::time_point deadline_;
  bool fired_ = false;
};

// Thread-safety: none; one coroutine uses a connection at a time (the pool
// hands it to one request, which gives it back when done).
class Connection {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using TlsStream = boost::beast::ssl_stream<Socket>;

  // Resolves, connects and, for https, handshakes with the certificate
  // checked against the trust store and `url.host` (SNI set for names).
  // `tls` is used only for https. All within options.connect_timeout, on the
  // calling coroutine's executor.
  static boost::asio::awaitable<Result<std::unique_ptr<Connection>>> Open(
      const Url& url, boost::asio::ssl::context& tls,
      const HttpClientOptions& options);

  // Writes `request` (whose parsed URL is `url`) and reads the answer.
  // After a failure, answer_started() and failed_writing() tell a caller
  // whether the request may be sent again on another connection.
  boost::asio::awaitable<Result<ClientResponse>> Exchange(
      const Url& url, const ClientRequest& request,
      const HttpClientOptions& options);

  // Ends any step's watch: a handler still queued finds nothing to cut off.
  ~Connection();

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
      Stream& stream, const Url& url, const ClientRequest& request,
      const HttpClientOptions& options);

  std::unique_ptr<Socket> plain_;  // exactly one of plain_, tls_
  std::unique_ptr<TlsStream> tls_;
  std::shared_ptr<Watchdog> watchdog_;  // watches the socket of either
  const boost::asio::execution_context* context_;
  boost::beast::flat_buffer buffer_;
  bool reusable_ = false;
  bool answer_started_ = false;
  bool failed_writing_ = false;
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_CONNECTION_H_
