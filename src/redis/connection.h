// A blocking connection to Redis over hiredis, with timeouts on connect and
// on every command. Replies are copied out of hiredis into plain values.
#ifndef TOKENWARDEN_REDIS_CONNECTION_H_
#define TOKENWARDEN_REDIS_CONNECTION_H_

#include <memory>
#include <string>
#include <vector>

#include "redis/redis_url.h"
#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

struct redisContext;

namespace tokenwarden::redis {

struct Reply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;       // kString, kStatus
  long long integer = 0;  // kInteger
  std::vector<Reply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
};

// Thread-safety: none; one thread at a time (Client adds a lock).
class Connection {
 public:
  // Connects, authenticates and selects the database.
  static Result<std::unique_ptr<Connection>> Open(const RedisUrl& url, Duration timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one command (binary-safe arguments) and reads its reply. A Redis
  // error reply is kFailedPrecondition with Redis's text; an I/O failure or
  // timeout is kUnavailable and leaves the connection broken().
  Result<Reply> Command(const std::vector<std::string>& args);

  // Reads the next pushed reply (pub/sub), waiting at most `wait` for one to
  // start. kDeadlineExceeded when none came; the connection stays usable.
  Result<Reply> ReadPush(Duration wait);

  // Changes the read timeout for later calls.
  void SetTimeout(Duration timeout);

  bool broken() const { return broken_; }

 private:
  explicit Connection(redisContext* ctx) : ctx_(ctx) {}
  Result<Reply> Finish(void* raw_reply);

  redisContext* ctx_;
  bool broken_ = false;
};

}  // namespace tokenwarden::redis

#endif  // TOKENWARDEN_REDIS_CONNECTION_H_
