// Session: what one authorization of an account produced.
#ifndef TOKENWARDEN_SESSION_H_
#define TOKENWARDEN_SESSION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tokenwarden/clock.h"
#include "tokenwarden/secret.h"

namespace tokenwarden {

// An HTTP header to attach to upstream requests. The value is a credential.
struct SessionHeader {
  std::string name;
  Secret value;
};

// Immutable once published by a TokenManager; readers share it.
struct Session {
  std::string account;
  std::string provider;      // "alliance", "novapost", ...
  uint64_t generation = 0;   // grows by one per authorization of the account
  TimePoint issued_at{};
  TimePoint expires_at{};    // never handed out at or after this instant
  TimePoint refresh_at{};    // the planned proactive refresh (jittered)
  std::vector<SessionHeader> headers;  // attached to every upstream request
  // The provider's whole authorization answer (JSON text), kept so that new
  // parameters (the bank's serverPublic after support reopened access) are
  // stored, not dropped. Persisted encrypted only.
  Secret upstream_state;
};

}  // namespace tokenwarden

#endif  // TOKENWARDEN_SESSION_H_
