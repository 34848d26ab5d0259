// The limit behind TokenManagerOptions::authorization_limit: util's
// AsyncLimit under the public name, so that the public header names no
// type of src/util and a library user cannot reach into it.
#ifndef TOKENWARDEN_SESSION_AUTHORIZATION_LIMIT_H_
#define TOKENWARDEN_SESSION_AUTHORIZATION_LIMIT_H_

#include "tokenwarden/token_manager.h"
#include "util/async_limit.h"

namespace tokenwarden {

// Thread-safety: as AsyncLimit, every method from any thread.
class AuthorizationLimit : public AsyncLimit {
 public:
  using AsyncLimit::AsyncLimit;
};

}  // namespace tokenwarden

#endif  // TOKENWARDEN_SESSION_AUTHORIZATION_LIMIT_H_
