// Idle keep-alive connections, per origin, waiting for the next request.
// Internal to the HTTP client.
#ifndef TOKENWARDEN_HTTP_CLIENT_CONNECTION_POOL_H_
#define TOKENWARDEN_HTTP_CLIENT_CONNECTION_POOL_H_

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "http/client/connection.h"

namespace tokenwarden::http {

// Idleness is measured on the steady clock, not the injected Clock: it is
// about real sockets, which a simulated day does not age.
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
  // met on the way are closed.
  std::unique_ptr<Connection> Take(
      const std::string& origin, const boost::asio::execution_context* context);

  // Keeps `connection` for reuse; the oldest idle one of the origin is closed
  // when the origin already has max_idle_per_origin.
  void Put(const std::string& origin, std::unique_ptr<Connection> connection);

  // Closes every idle connection.
  void Clear();

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    std::chrono::steady_clock::time_point since;
  };

  const size_t max_idle_per_origin_;
  const std::chrono::steady_clock::duration idle_timeout_;
  std::mutex mu_;
  std::map<std::string, std::deque<Idle>>
      idle_;  // newest at the back; guarded by mu_
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_CONNECTION_POOL_H_
