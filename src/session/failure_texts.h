// The failure texts of the TokenManager: what it tells an operator or a
// client when it cannot serve. Each names the account and says what happens
// next or what to do.
#ifndef TOKENWARDEN_SESSION_FAILURE_TEXTS_H_
#define TOKENWARDEN_SESSION_FAILURE_TEXTS_H_

#include <string>
#include <string_view>

#include "tokenwarden/clock.h"
#include "tokenwarden/provider.h"

namespace tokenwarden::session {

// Alliance b_auth_token_expired: only the bank's support can reopen access.
std::string NeedsSupportMessage(const std::string& account, const Verdict& verdict);
// The upstream refused the configuration (an unknown key, a 422).
std::string FailedMessage(const std::string& account, const Verdict& verdict);
// A transient failure with no valid session to serve meanwhile.
std::string UnavailableMessage(const std::string& account, const Verdict& verdict,
                               TimePoint next_attempt, TimePoint now);

// Waiting timed out with no session: the state, and when the next attempt is.
std::string NotYetMessage(const std::string& account, std::string_view state, TimePoint next_attempt,
                          TimePoint now);

}  // namespace tokenwarden::session

#endif  // TOKENWARDEN_SESSION_FAILURE_TEXTS_H_
