// SessionStore: where accounts' sessions and state survive restarts, and how
// processes sharing an account agree on who authorizes it.
#ifndef TOKENWARDEN_SESSION_STORE_H_
#define TOKENWARDEN_SESSION_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tokenwarden/clock.h"
#include "tokenwarden/result.h"
#include "tokenwarden/secret.h"
#include "tokenwarden/session.h"

namespace tokenwarden {

// Everything persisted about one account.
struct AccountRecord {
  std::optional<Session> session;
  TimePoint last_used{};          // last upstream use, for the inactivity rule
  bool needs_support = false;     // Alliance b_auth_token_expired was seen
  std::string support_message;    // what the operator must do
  // Expiries of earlier tokens that may still be alive upstream (for
  // per-key session limits); the current session is not among them.
  std::vector<TimePoint> earlier_expiries;
};

struct VersionedRecord {
  AccountRecord record;
  uint64_t version = 0;  // grows by one per successful Save
};

// Thread-safety: every method may be called from any thread.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // The stored record, or nullopt when the account has none. A corrupt or
  // foreign record is an error (kDataLoss) and is set aside, not overwritten.
  virtual Result<std::optional<VersionedRecord>> Load(std::string_view account) = 0;

  // Stores `record` if the stored version still equals `expected_version`
  // (0: nothing stored yet). Returns the new version; kAborted when another
  // writer got there first. Durable when it returns.
  virtual Result<uint64_t> Save(std::string_view account, const AccountRecord& record,
                                uint64_t expected_version) = 0;

  // Takes the account's authorization lease for `ttl` if nobody else holds
  // it (or `holder` already does). Returns false when another holder has it.
  // `ttl` is real time: a holder that dies loses the lease after it.
  virtual Result<bool> TryLease(std::string_view account, std::string_view holder,
                                Duration ttl) = 0;
  virtual Status ReleaseLease(std::string_view account, std::string_view holder) = 0;
};

struct FileStoreOptions {
  std::filesystem::path state_dir;
  // The 32-byte master key, from a key file or the environment. When unset,
  // `key_file` is read, or created (mode 0600) on a new installation.
  std::optional<Secret> master_key;
  std::filesystem::path key_file;  // default: state_dir / "master.key"
};

// The embedded default: one encrypted file per account under state_dir,
// replaced atomically; leases are file locks (one host).
Result<std::unique_ptr<SessionStore>> MakeFileStore(const FileStoreOptions& options);

}  // namespace tokenwarden

#endif  // TOKENWARDEN_SESSION_STORE_H_
