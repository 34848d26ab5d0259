// The options that the token managers of one agent have in common, held
// once: 100,000 copies of them cost about 170 B an account.
#ifndef TOKENWARDEN_SESSION_SHARED_OPTIONS_H_
#define TOKENWARDEN_SESSION_SHARED_OPTIONS_H_

#include <memory>
#include <string>

#include "tokenwarden/clock.h"
#include "tokenwarden/session_store.h"
#include "tokenwarden/token_manager.h"

namespace tokenwarden::session {

// The per-agent part of TokenManagerOptions (see there for each meaning).
// Immutable once interned.
struct SharedOptions {
  std::shared_ptr<Clock> clock;
  std::shared_ptr<SessionStore> store;
  Duration backoff_initial{};
  Duration backoff_max{};
  std::string holder_id;
  Duration lease_ttl{};
  Duration follower_poll{};
  Duration clock_check_every{};
  Duration inactivity_warning{};
  Duration inactivity_limit{};
  std::shared_ptr<AuthorizationLimit> authorization_limit;
  bool operator==(const SharedOptions&) const = default;
};

// Moves the shared part out of `o` and returns it: the block handed to the
// previous caller when the two are equal, else a new one.
// Thread-safety: may be called from any thread.
std::shared_ptr<const SharedOptions> InternSharedOptions(TokenManagerOptions& o);

// A random lease-holder id, SharedOptions::holder_id when none is given:
// host name, process id and 64 random bits.
std::string RandomHolderId();

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_SHARED_OPTIONS_H_
