// How an AccountRecord is kept outside memory: JSON inside AES-256-GCM.
// The file store and the Redis store share it, and so share one format and
// one master key.
//
// Sealed blob: "TWR1" | 12-byte nonce | ciphertext | 16-byte tag. The AAD
// binds the format and the account id, so a record copied under another
// account's name does not open.
#ifndef TOKENWARDEN_STORE_RECORD_CODEC_H_
#define TOKENWARDEN_STORE_RECORD_CODEC_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "tokenwarden/result.h"
#include "tokenwarden/secret.h"
#include "tokenwarden/session_store.h"

namespace tokenwarden::store {

inline constexpr size_t kMasterKeyBytes = 32;
inline constexpr const char* kMasterKeyEnv = "TOKENWARDEN_MASTER_KEY";

// The JSON form (secrets in clear: only ever sealed).
std::string SerializeRecord(const AccountRecord& record, uint64_t version);
Result<VersionedRecord> ParseRecord(std::string_view json);

// Thread-safety: immutable; safe to share.
class RecordCipher {
 public:
  // REQUIRES: master_key is 32 bytes.
  static Result<RecordCipher> Create(Secret master_key);

  Result<std::string> Seal(std::string_view account, const AccountRecord& record, uint64_t version) const;
  // kDataLoss when the blob is not ours, was made with another key or for
  // another account, or was damaged.
  Result<VersionedRecord> Open(std::string_view account, std::string_view blob) const;

 private:
  explicit RecordCipher(Secret key) : key_(std::move(key)) {}
  Secret key_;
};

// The master key: from TOKENWARDEN_MASTER_KEY (base64url of 32 bytes) when
// set, else from `key_file`, which a new installation creates (mode 0600).
Result<Secret> LoadOrCreateMasterKey(const std::filesystem::path& key_file);

}  // namespace tokenwarden::store

#endif  // TOKENWARDEN_STORE_RECORD_CODEC_H_
