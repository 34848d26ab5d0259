#include "session/shared_options.h"

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

}  // namespace tokenwarden::session
