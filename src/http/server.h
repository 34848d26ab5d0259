// An HTTP/1.1 server on Boost.Beast: one coroutine per connection,
// keep-alive, a timeout on every read and write, bounded header and body
// sizes. The emulator and the agent both run on it.
#ifndef TOKENWARDEN_HTTP_SERVER_H_
#define TOKENWARDEN_HTTP_SERVER_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>

#include "http/message.h"
#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

namespace tokenwarden::http {

// A handler may suspend (delays, upstream calls); it must not throw, but if
// it does the connection answers 500 and the server goes on.
using Handler = std::function<boost::asio::awaitable<Response>(Request)>;

// Adapts a plain function to a Handler.
Handler Sync(std::function<Response(const Request&)> handle);

// Formats the answers the server gives on its own (400, 413, 431, 500), so
// that an emulated upstream answers in that upstream's error shape. `target`
// is empty when the request line was not read.
using ErrorResponder = std::function<Response(int status, std::string_view message, std::string_view target)>;

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT (port 0: any free port) or unix:/path
  // Each thread runs an event loop of its own; a connection stays on one
  // of them, taken in turn as connections come, for its whole life.
  int threads = 1;
  size_t max_header_bytes = 8 * 1024;   // 431 past it
  size_t max_body_bytes = 1024 * 1024;  // 413 past it
  Duration read_timeout = std::chrono::seconds(30);   // a request must arrive whole within it
  Duration idle_timeout = std::chrono::seconds(60);   // keep-alive between requests
  Duration write_timeout = std::chrono::seconds(30);
  // Open connections at most; one more is accepted and closed at once, so
  // a flood of idle clients costs bounded memory and never stalls accept.
  int max_connections = 16384;
  ErrorResponder error_responder;  // default: {"error": message}
};

// Thread-safety: Stop() may be called from any thread, once.
class Server {
 public:
  // Binds and starts serving on `options.threads` threads.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);
  virtual ~Server() = default;

  // The bound TCP port (0 for a Unix socket).
  virtual int port() const = 0;
  // Stops accepting, lets requests in flight finish for up to `drain`, then
  // closes every connection and joins the threads.
  virtual void Stop(Duration drain) = 0;
  // Blocks until Stop() has finished.
  virtual void Wait() = 0;
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_SERVER_H_
