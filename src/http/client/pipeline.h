// Several GET and HEAD requests on one upstream connection at once (HTTP/1.1
// pipelining, RFC 9112 section 9.3.2). The requests made while a thread
// works through one batch of events go out in one write, and their answers
// come back in order, often several to a read: two system calls, and two
// TCP segments each way, for the batch rather than for each request.
// Internal to the HTTP client (HttpClientOptions::pipeline_depth).
//
// The request at the front reads its answer itself; the ones behind it wait
// their turn, and the front hands it on when its answer is whole. When the
// connection ends or must not be used further (an error, an answer that
// closes it or is streamed), the ones behind are given up, unanswered: they
// are GETs and HEADs, which the caller sends again on another connection.
#ifndef TOKENWARDEN_HTTP_CLIENT_PIPELINE_H_
#define TOKENWARDEN_HTTP_CLIENT_PIPELINE_H_

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/client/connection.h"
#include "http/client/context_shards.h"

namespace tokenwarden::http {

// Thread-safety: none; used only by coroutines of the executor it was made
// with (a context's one thread, or a strand), as its connection is.
class Pipeline : public std::enable_shared_from_this<Pipeline> {
 public:
  struct Outcome {
    Result<ClientResponse> response;
    // Failed without a byte of its answer: the request may go again on
    // another connection (it is a GET or a HEAD).
    bool unseen = false;
    // Given up while it waited behind another request: it was never read
    // for here, whatever the connection was.
    bool behind = false;
    // For an answer that is streamed: the connection, now its alone.
    std::unique_ptr<Connection> streamed;
  };

  // On `connection`; or, null, on one still being opened: requests queue
  // meanwhile, and go once Attach gives it (Fail: they all fail so).
  Pipeline(std::unique_ptr<Connection> connection, const boost::asio::execution_context* context,
           boost::asio::any_io_executor executor);
  void Attach(std::unique_ptr<Connection> connection);
  void Fail(Error error);

  // Queues `request` (a GET or HEAD, without a body) and returns its answer.
  boost::asio::awaitable<Outcome> Exchange(const BaseUrl& base, std::string_view rest, const ClientRequest& request,
                                           const HttpClientOptions& options);

  // Requests queued and not yet answered.
  size_t depth() const { return queue_.size(); }
  // False once the connection must not take another request.
  bool open() const { return !broken_; }
  const boost::asio::execution_context* context() const { return context_; }
  // When the last answer ended, or it was made.
  std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }

 private:
  // One request's place in the queue, on its coroutine's frame.
  struct Place {
    explicit Place(const boost::asio::any_io_executor& executor)
        : turn(executor, boost::asio::steady_timer::time_point::max()) {}
    boost::asio::steady_timer turn;  // cancelled to wake its request
    bool queued = false;             // in queue_ (Leave takes it out once)
    bool given_up = false;
  };

  void PostFlush();
  void Flush();
  void Leave(Place& place);
  // Takes every request out of the queue and wakes it; `given_up`: each
  // then returns unanswered, to be sent again.
  void WakeAll(bool given_up);
  // Gives up every request behind the front and, `close`, the connection.
  void Break(bool close);

  // Null while it is opened, and once handed to a streamed answer.
  std::unique_ptr<Connection> connection_;
  std::optional<Error> failed_;  // opening it failed
  const boost::asio::any_io_executor executor_;
  const boost::asio::execution_context* context_;
  std::deque<Place*> queue_;  // the front reads; each leaves the queue itself
  std::string target_;   // the target of the request being added
  std::string out_;      // requests not yet written
  std::string writing_;  // requests being written by WriteLater
  size_t held_ = 0;     // requests in out_
  size_t written_ = 0;  // requests written (or being written), not yet answered
  bool flush_posted_ = false;
  bool broken_ = false;
  std::chrono::steady_clock::time_point idle_since_;
};

// The pipelines of one HttpClient, by origin, per execution context.
//
// Thread-safety: every method may be called from any thread.
class Pipelines {
 public:
  Pipelines(size_t depth, Duration idle_timeout)
      : depth_(depth),
        idle_timeout_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(idle_timeout)) {}

  // An open pipeline to `origin` on `context` with room for one more
  // request (fewer than `depth` queued); nullptr if none. Broken ones met
  // on the way are dropped, and idle ones past the idle timeout closed.
  std::shared_ptr<Pipeline> Find(const std::string& origin, const boost::asio::execution_context* context);
  void Add(const std::string& origin, std::shared_ptr<Pipeline> pipeline);
  // Forgets every pipeline (their requests under way finish).
  void Clear();

 private:
  struct Shard {
    std::mutex mu;
    std::map<std::string, std::vector<std::shared_ptr<Pipeline>>> by_origin;  // guarded by mu
  };
  const size_t depth_;
  const std::chrono::steady_clock::duration idle_timeout_;
  ContextShards<Shard> shards_;
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_PIPELINE_H_
