// The agent: every configured account's TokenManager, the store they share,
// and the local API on an HTTP server. `tokenwarden serve` runs one.
#ifndef TOKENWARDEN_AGENT_AGENT_H_
#define TOKENWARDEN_AGENT_AGENT_H_

#include <memory>

#include "agent/config.h"
#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"

namespace tokenwarden::agent {

// Thread-safety: Reload() and Stop() may be called from any thread, not
// concurrently with each other.
class Agent {
 public:
  // Opens the store, builds and starts every account, then listens. Fails
  // (naming the file, account and field) without serving anything.
  static Result<std::unique_ptr<Agent>> Start(AgentConfig config, std::shared_ptr<Clock> clock);
  virtual ~Agent() = default;

  // The bound TCP port (0 for a Unix socket).
  virtual int port() const = 0;

  // Applies a new configuration: accounts whose settings did not change
  // keep their sessions; changed ones are rebuilt; removed ones stop; client
  // tokens and the log level are replaced. listen, state, state_dir,
  // master_key_file and threads need a restart (a warning says so). On an
  // error nothing changes.
  virtual Status Reload(AgentConfig config) = 0;

  // Stops accepting, lets requests in flight finish for up to `drain`, stops
  // every account. Idempotent.
  virtual void Stop(Duration drain) = 0;
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_AGENT_H_
