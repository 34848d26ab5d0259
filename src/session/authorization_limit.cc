#include "session/authorization_limit.h"

namespace tokenwarden {

std::shared_ptr<AuthorizationLimit> MakeAuthorizationLimit(int max) {
  return std::make_shared<AuthorizationLimit>(max);
}

}  // namespace tokenwarden
