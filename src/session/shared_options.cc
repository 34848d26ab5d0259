#include "session/shared_options.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <chrono>
#include <utility>

#include "util/interned.h"

namespace tokenwarden::session {

std::shared_ptr<const SharedOptions> InternSharedOptions(TokenManagerOptions& o) {
  SharedOptions wanted{std::move(o.clock),      std::move(o.store),     o.backoff_initial,
                       o.backoff_max,           std::move(o.holder_id), o.lease_ttl,
                       o.follower_poll,         o.clock_check_every,    o.inactivity_warning,
                       o.inactivity_limit,      std::move(o.authorization_limit)};
  static LastInterned<SharedOptions> interned;
  return interned.Get(std::move(wanted));
}

std::string RandomHolderId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  unsigned char bytes[8] = {};
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(t >>= 8);
  }
  std::string out = std::string(host) + ":" + std::to_string(getpid()) + ":";
  static const char* kHex = "0123456789abcdef";
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace tokenwarden::session
