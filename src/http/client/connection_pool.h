// Idle keep-alive connections, per origin, waiting for the next request.
// Internal to the HTTP client.
#ifndef TOKENWARDEN_HTTP_CLIENT_CONNECTION_POOL_H_
#define TOKENWARDEN_HTTP_CLIENT_CONNECTION_POOL_H_

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "http/client/connection.h"
#include "http/client/context_shards.h"

namespace tokenwarden::http {

// Idleness is measured on the steady clock, not the injected Clock: it is
// about real sockets, which a simulated day does not age.
//
// A connection is only ever used on the execution context that made it, so
// the pool keeps one shard per context (http/client/context_shards.h).
// max_idle_per_origin holds per context, as nginx's `keepalive` holds per
// worker.
//
// Thread-safety: every method may be called from any thread.
class ConnectionPool {
 public:
  ConnectionPool(size_t max_idle_per_origin, Duration idle_timeout)
      : max_idle_per_origin_(max_idle_per_origin),
        idle_timeout_(
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                idle_timeout)) {}

  // The most recently used idle connection to `origin` that belongs to
  // `context`, still open and not idle too long; nullptr if none. Stale ones
  // met on the way are closed. One idle for kUnprobedIdle or longer is
  // first checked with Connection::LooksIdleAndOpen.
  std::unique_ptr<Connection> Take(
      const std::string& origin, const boost::asio::execution_context* context);

  // Under load the connection taken (the pool is last in, first out) went
  // back microseconds ago, and the check costs a system call per request.
  // A peer's close or stray bytes reach such a connection only in a window
  // as short as the one between a check and the request's write, which no
  // check closes (an event loop's reading of its events is as late); a
  // server closing idle connections does so after seconds. Within this the
  // check is skipped; the retry rules of Send cover what it would catch.
  static constexpr std::chrono::steady_clock::duration kUnprobedIdle = std::chrono::milliseconds(1);

  // Keeps `connection` for reuse; the oldest idle one of the origin on the
  // same context is closed when there are already max_idle_per_origin.
  void Put(const std::string& origin, std::unique_ptr<Connection> connection);

  // Closes every idle connection.
  void Clear();

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    std::chrono::steady_clock::time_point since;
  };

  struct Shard {
    std::mutex mu;
    std::map<std::string, std::deque<Idle>> idle;  // newest at the back; guarded by mu
  };

  const size_t max_idle_per_origin_;
  const std::chrono::steady_clock::duration idle_timeout_;
  ContextShards<Shard> shards_;
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_CONNECTION_POOL_H_
