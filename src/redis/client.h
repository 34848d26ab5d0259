// A Redis client for many threads: one connection behind a lock, reopened
// on the next command after a failure. Commands are short (GET, SET NX PX,
// EVAL of a small script), so one connection is enough for the store.
#ifndef TOKENWARDEN_REDIS_CLIENT_H_
#define TOKENWARDEN_REDIS_CLIENT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "redis/connection.h"

namespace tokenwarden::redis {

// Thread-safety: all methods may be called from any thread.
class Client {
 public:
  Client(RedisUrl url, Duration timeout) : url_(std::move(url)), timeout_(timeout) {}

  // One command; on a broken connection, one reconnect and one more try
  // only for commands the caller marks idempotent.
  Result<Reply> Command(const std::vector<std::string>& args, bool idempotent = true);

  const RedisUrl& url() const { return url_; }

 private:
  RedisUrl url_;
  Duration timeout_;
  std::mutex mu_;
  std::unique_ptr<Connection> conn_;
};

// Listens on one channel in its own thread and calls `on_message` with each
// message; reconnects (with a pause) when Redis goes away. `on_reconnect` is
// called after each successful (re)subscription, so the owner can re-read
// what it may have missed.
class Subscriber {
 public:
  Subscriber(RedisUrl url, std::string channel, std::function<void(const std::string&)> on_message,
             std::function<void()> on_reconnect = nullptr);
  ~Subscriber();  // stops and joins the thread
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  bool subscribed() const { return subscribed_.load(); }

 private:
  void Run();

  RedisUrl url_;
  std::string channel_;
  std::function<void(const std::string&)> on_message_;
  std::function<void()> on_reconnect_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> subscribed_{false};
  std::thread thread_;
};

}  // namespace tokenwarden::redis

#endif  // TOKENWARDEN_REDIS_CLIENT_H_
