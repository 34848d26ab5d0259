#include "http/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <charconv>
#include <thread>
#include <vector>

#include "http/message_parser.h"
#include "http/stream_io.h"
#include "http/watchdog.h"
#include "http/wire.h"
#include "util/ascii.h"
#include "util/log.h"

namespace tokenwarden::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;


// RFC 9110 10.1.1: the interim answer to "Expect: 100-continue".
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool ExpectsContinue(const Request& request) {
  auto expect = request.header("expect");
  return expect && EqualsIgnoreCase(*expect, "100-continue");
}

class ServerImpl : public Server {
 public:
  ServerImpl(const ServerOptions& options, Handler handler) : options_(options), handler_(std::move(handler)) {
    for (int i = 0; i < options.threads; ++i) contexts_.push_back(std::make_unique<asio::io_context>(1));
    in_flight_ = std::vector<InFlight>(contexts_.size());
  }

  Response Plain(int status, std::string_view what, std::string_view target) const {
    if (options_.error_responder) return options_.error_responder(status, what, target);
    return Response::Json(status, {{"error", std::string(what)}});
  }

  Status Bind() {
    boost::system::error_code ec;
    if (options_.listen.rfind("unix:", 0) == 0) {
      std::string path = options_.listen.substr(5);
      ::unlink(path.c_str());  // a stale socket from an earlier run
      unix_acceptor_.emplace(*contexts_[0]);
      unix_acceptor_->open(unix_socket(), ec);
      if (!ec) unix_acceptor_->bind(unix_socket::endpoint(path), ec);
      // The owner and its group may connect (put the application's user in
      // the agent's group); nobody else. Set before listen() accepts anyone.
      if (!ec && ::chmod(path.c_str(), 0660) != 0) ec.assign(errno, boost::system::system_category());
      if (!ec) unix_acceptor_->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.listen + ": " + ec.message());
      return OkStatus();
    }
    size_t colon = options_.listen.rfind(':');
    if (colon == std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "listen address '" + options_.listen + "' is not HOST:PORT");
    }
    std::string host = options_.listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    int port = 0;
    std::string_view port_text(options_.listen.c_str() + colon + 1);
    auto [p, perr] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (perr != std::errc() || p != port_text.data() + port_text.size() || port < 0 || port > 65535) {
      return MakeError(ErrorCode::kInvalidArgument, "listen address '" + options_.listen + "' has a bad port");
    }
    auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec) return MakeError(ErrorCode::kInvalidArgument, "listen address '" + options_.listen + "': " + ec.message());
    tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
    tcp_acceptor_.emplace(*contexts_[0]);
    tcp_acceptor_->open(endpoint.protocol(), ec);
    if (!ec) tcp_acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) tcp_acceptor_->bind(endpoint, ec);
    if (!ec) tcp_acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot listen on " + options_.listen + ": " + ec.message());
    port_ = tcp_acceptor_->local_endpoint().port();
    return OkStatus();
  }

  void Run() {
    if (tcp_acceptor_) asio::co_spawn(*contexts_[0], Accept(*tcp_acceptor_), asio::detached);
    if (unix_acceptor_) asio::co_spawn(*contexts_[0], Accept(*unix_acceptor_), asio::detached);
    for (auto& context : contexts_) {
      // Kept running while idle: a connection may be handed to it any time.
      threads_.emplace_back([context = context.get()] {
        auto work = asio::make_work_guard(*context);
        context->run();
      });
    }
  }

  int port() const override { return port_; }

  void Stop(Duration drain) override {
    if (stopping_.exchange(true)) return Wait();
    asio::post(*contexts_[0], [this] {
      boost::system::error_code ec;
      if (tcp_acceptor_) tcp_acceptor_->close(ec);
      if (unix_acceptor_) unix_acceptor_->close(ec);
    });
    auto deadline = std::chrono::steady_clock::now() + drain;
    while (InFlightTotal() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& context : contexts_) context->stop();
    Wait();
  }

  void Wait() override {
    std::lock_guard<std::mutex> lock(join_mu_);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  ~ServerImpl() override { Stop(std::chrono::seconds(0)); }

 private:
  // One accept loop for TCP and Unix listeners, on the first thread. Each
  // thread runs an io_context of its own, and a connection lives on one of
  // them, taken in turn, for its whole life: no strand, and nothing handed
  // between threads per request (one io_context run by several threads
  // cost about 8 futex calls per proxied request in wake-ups and locks).
  // The one hand-over is the connection's start, a post to its thread.
  template <class Acceptor>
  awaitable<void> Accept(Acceptor& acceptor) {
    while (true) {
      boost::system::error_code ec;
      const size_t home = next_context_++ % contexts_.size();
      auto socket =
          co_await acceptor.async_accept(contexts_[home]->get_executor(), asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      if (!ec) Admit(std::move(socket), home);
      if (ec) {
        // Out of descriptors (EMFILE and friends): the pending connection
        // stays queued and would fail the next accept at once; pause so
        // the loop does not spin while connections close.
        asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      }
    }
  }

  // Serves the connection, or closes it at once past max_connections.
  template <class Socket>
  void Admit(Socket socket, size_t home) {
    if (open_connections_.fetch_add(1) >= options_.max_connections) {
      open_connections_.fetch_sub(1);
      boost::system::error_code ignored;
      socket.close(ignored);
      if (!over_limit_logged_.exchange(true)) {
        log::Warn("connection_limit_reached", {{"max_connections", options_.max_connections},
                                               {"message", "new connections are closed until others end"}});
      }
      return;
    }
    Spawn(std::move(socket), home);
  }

  template <class Socket>
  void Spawn(Socket socket, size_t home) {
    auto [peer, loopback] = Describe(socket);
    auto executor = socket.get_executor();
    auto connection = std::make_shared<Connection<Socket>>(std::move(socket));
    asio::co_spawn(executor, Session(connection, std::move(peer), loopback, in_flight_[home].requests),
                   asio::detached);
  }

  // A connection and its one deadline (http/watchdog.h). The watchdog runs
  // on the connection's executor (its thread's io_context), as the session
  // does.
  template <class Socket>
  struct Connection {
    using Clock = std::chrono::steady_clock;
    explicit Connection(Socket s)
        : socket(std::move(s)), watchdog(std::make_shared<Watchdog<Socket>>(socket)) {
      boost::system::error_code ignored;  // a socket that refuses fails its first read
      socket.non_blocking(true, ignored);  // for WriteNow
    }

    // From now on the next read or write must finish within `limit`.
    void Expect(Duration limit) {
      auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(limit);
      if (armed) return watchdog->Move(deadline);
      armed = true;
      watchdog->Arm(socket.get_executor(), deadline);
    }
    // No deadline (while the handler works on a request).
    void Pause() { watchdog->Move(Watchdog<Socket>::kNever); }
    // The session is over: the watchdog lets go of the connection.
    void Finish() { watchdog->Disarm(); }

    Socket socket;
    std::shared_ptr<Watchdog<Socket>> watchdog;
    bool armed = false;
    std::string wire;  // the answer being written; its memory kept for the next one
  };

  // The peer's address for logs, and whether it is on this machine.
  template <class Executor>
  static std::pair<std::string, bool> Describe(const asio::basic_stream_socket<tcp, Executor>& socket) {
    boost::system::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    if (ec) return {"unknown", false};
    return {remote.address().to_string() + ":" + std::to_string(remote.port()), IsLoopback(remote.address())};
  }
  template <class Executor>
  static std::pair<std::string, bool> Describe(const asio::basic_stream_socket<unix_socket, Executor>&) {
    return {"unix", true};
  }

  static bool IsLoopback(const asio::ip::address& a) {
    if (a.is_v4()) return a.to_v4().is_loopback();
    auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback();
    return v6.is_loopback();
  }

  template <class Socket>
  awaitable<void> Session(std::shared_ptr<Connection<Socket>> connection, std::string peer, bool loopback,
                          std::atomic<int>& in_flight) {
    Socket& socket = connection->socket;
    beast::flat_buffer buffer;
    bool first = true;
    int buffered_in_a_row = 0;
    while (!stopping_) {
      // A client that pipelines is served from the buffer without a wait;
      // now and then let the other connections have their turn.
      buffered_in_a_row = buffer.size() > 0 ? buffered_in_a_row + 1 : 0;
      if (buffered_in_a_row % 16 == 15) co_await asio::post(socket.get_executor(), use_awaitable);
      RequestParser parser;
      parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);
      boost::system::error_code ec;
      // Waiting for the next request on a kept-alive connection is "idle";
      // once it starts, the whole request must arrive within read_timeout.
      connection->Expect(first ? options_.read_timeout : options_.idle_timeout);
      bool midway = false;  // a read of this request came: try the next at once (ReadNow)
      for (bool header_only : {true, false}) {
        bool done = ParseBuffered(buffer, parser, header_only, ec);
        while (!done) {
          size_t n = 0;
          if (!(midway && ReadNow(socket, buffer, 512, n, ec))) {
            n = co_await socket.async_read_some(ReadSpace(buffer), asio::redirect_error(use_awaitable, ec));
          }
          midway = true;
          done = Received(buffer, parser, n, header_only, ec);
        }
        if (ec || parser.is_done()) break;
        connection->Expect(options_.read_timeout);  // a body follows
        // A client that asked to hear first would otherwise wait a second
        // before sending the body (curl asks for PUT uploads and for POST
        // bodies over 1 MiB).
        if (buffer.size() == 0 && parser.version() == 11 && ExpectsContinue(parser.get())) {
          asio::const_buffer go = asio::buffer(kContinue.data(), kContinue.size());
          if (!WriteNow(socket, go, ec)) co_await asio::async_write(socket, go, asio::redirect_error(use_awaitable, ec));
          if (ec) break;
        }
      }
      connection->Pause();
      first = false;
      Response response;
      unsigned version = 11;
      bool head = false;  // a HEAD request: the answer's header only
      bool keep_alive = false;
      if (ec) {
        std::string target = parser.is_header_done() ? parser.get().target : std::string();
        if (ec == bhttp::error::header_limit) {
          response = Plain(431, "request header fields too large", target);
        } else if (ec == bhttp::error::body_limit) {
          response = Plain(413, "request body too large", target);
        } else if (ec != bhttp::error::end_of_stream && ec != asio::error::eof &&
                   ec != asio::error::operation_aborted && ec != asio::error::bad_descriptor &&
                   ec != asio::error::connection_reset && buffer.size() > 0) {
          response = Plain(400, "malformed HTTP request", target);
        } else {
          break;  // closed, reset or cut off: nobody to answer
        }
      } else {
        Request request = std::move(parser.get());
        request.peer = peer;
        request.peer_is_loopback = loopback;
        keep_alive = parser.keep_alive() && !stopping_;
        version = parser.version();
        head = request.method == "HEAD";
        in_flight.fetch_add(1, std::memory_order_relaxed);
        try {
          response = co_await handler_(std::move(request));
        } catch (...) {
          response = Plain(500, "internal error", "");
        }
        in_flight.fetch_sub(1, std::memory_order_release);
        if (response.drop_connection) break;
        if (response.rest && !head && !Bodiless(response.status)) {
          in_flight.fetch_add(1, std::memory_order_relaxed);  // a drain waits for it, as for a handler
          bool whole = co_await WriteStreamed(*connection, response, version, keep_alive, peer);
          in_flight.fetch_sub(1, std::memory_order_release);
          KeepOrRelease(connection->wire);
          if (!whole || !keep_alive) break;
          continue;
        }
      }

      // Here, not in a coroutine of its own: one frame fewer per request.
      connection->wire =
          head ? WireResponseHead(response.status, response.headers, version, keep_alive, Framing::kLength,
                                  response.length.value_or(response.body.size()), std::move(connection->wire))
               : WireResponse(response.status, response.headers, response.body, version, keep_alive,
                              std::move(connection->wire));
      asio::const_buffer data = asio::buffer(connection->wire);
      if (!WriteNow(socket, data, ec)) {  // the rest must go within write_timeout
        connection->Expect(options_.write_timeout);
        co_await asio::async_write(socket, data, asio::redirect_error(use_awaitable, ec));
        connection->Pause();
      }
      KeepOrRelease(connection->wire);
      if (ec || !keep_alive) break;
    }
    connection->Finish();
    boost::system::error_code ignored;
    socket.shutdown(asio::socket_base::shutdown_both, ignored);
    open_connections_.fetch_sub(1);
  }

  // Writes a response whose body goes on past `response.body`: the header
  // and what is held, then each piece of `response.rest` as it comes, each
  // write within write_timeout. False when the connection must close: a
  // write failed, or the rest broke off (the client then sees the body end
  // short of its Content-Length, or without its last chunk).
  template <class Socket>
  awaitable<bool> WriteStreamed(Connection<Socket>& connection, Response& response, unsigned version,
                                bool& keep_alive, const std::string& peer) {
    Framing framing = response.length ? Framing::kLength : version == 10 ? Framing::kToClose : Framing::kChunked;
    if (framing == Framing::kToClose) keep_alive = false;
    std::string& wire = connection.wire;
    wire = WireResponseHead(response.status, response.headers, version, keep_alive, framing,
                            response.length.value_or(0), std::move(wire));
    std::string piece = std::move(response.body);
    bool end = false;
    while (true) {
      if (framing == Framing::kChunked) {
        if (!piece.empty()) AppendChunk(wire, piece);
        if (end) AppendChunk(wire, {});
      } else {
        wire.append(piece);
      }
      boost::system::error_code ec;
      asio::const_buffer data = asio::buffer(wire);
      if (!WriteNow(connection.socket, data, ec)) {
        connection.Expect(options_.write_timeout);
        co_await asio::async_write(connection.socket, data, asio::redirect_error(use_awaitable, ec));
        connection.Pause();
      }
      if (ec) co_return false;
      if (end) co_return true;
      wire.clear();
      auto next = co_await response.rest->Next();
      if (!next.ok()) {
        log::Warn("answer_cut_short", {{"peer", peer},
                                       {"status", response.status},
                                       {"error", next.error().ToString()},
                                       {"message", "the body being passed on broke off; the connection was closed"}});
        co_return false;
      }
      piece = std::move(*next);
      end = piece.empty();
    }
  }

  ServerOptions options_;
  Handler handler_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;  // one per thread
  size_t next_context_ = 0;                                   // the accept loops' turn (first thread only)
  std::optional<tcp::acceptor> tcp_acceptor_;
  std::optional<unix_socket::acceptor> unix_acceptor_;
  std::vector<std::thread> threads_;
  std::mutex join_mu_;
  std::atomic<bool> stopping_{false};
  // Requests being handled, counted per thread (a count shared by the
  // threads was a cache line moved between the cores twice per request);
  // a drain waits for their sum.
  struct alignas(64) InFlight {
    std::atomic<int> requests{0};
  };
  std::vector<InFlight> in_flight_;  // one per context, by index
  int InFlightTotal() const {
    int total = 0;
    for (const auto& t : in_flight_) total += t.requests.load(std::memory_order_acquire);
    return total;
  }
  std::atomic<int> open_connections_{0};
  std::atomic<bool> over_limit_logged_{false};
  int port_ = 0;
};

}  // namespace

Handler Sync(std::function<Response(const Request&)> handle) {
  return [handle = std::move(handle)](Request r) -> boost::asio::awaitable<Response> {
    co_return handle(r);
  };
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  if (options.threads < 1) return MakeError(ErrorCode::kInvalidArgument, "server threads must be at least 1");
  auto server = std::make_unique<ServerImpl>(options, std::move(handler));
  TW_RETURN_IF_ERROR(server->Bind());
  server->Run();
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace tokenwarden::http
