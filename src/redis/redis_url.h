// redis://[user:password@]host:port/db, as given in `[agent] state`.
#ifndef TOKENWARDEN_REDIS_REDIS_URL_H_
#define TOKENWARDEN_REDIS_REDIS_URL_H_

#include <string>
#include <string_view>

#include "tokenwarden/result.h"
#include "tokenwarden/secret.h"

namespace tokenwarden::redis {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;   // Redis 6 ACL user; empty for the default user
  Secret password;    // empty: no AUTH
  int db = 0;

  // "redis://user@host:port/db": never the password.
  std::string ToString() const;
};

// rediss:// (TLS) is refused: Debian 12's hiredis (0.14) has no TLS; put a
// TLS tunnel (stunnel, spiped) on loopback in front of a remote Redis.
// Errors never include the password.
Result<RedisUrl> ParseRedisUrl(std::string_view url);

}  // namespace tokenwarden::redis

#endif  // TOKENWARDEN_REDIS_REDIS_URL_H_
