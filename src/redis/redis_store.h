// The fleet store: SessionStore over Redis, so that many agents share one
// session per account.
//
// Layout (one hash per account, so each script touches one key):
//   tw:{<account>}        blob (the encrypted AccountRecord), version, generation
//   tw:{<account>}:lease  holder id, with a TTL (SET NX PX)
//   tw:sessions           pub/sub channel: "<account> <version>" after each save
// The blob is encrypted by the injected codec with the same master key as the
// file store; Redis never sees a session in clear.
#ifndef TOKENWARDEN_REDIS_REDIS_STORE_H_
#define TOKENWARDEN_REDIS_REDIS_STORE_H_

#include <functional>
#include <memory>
#include <string>

#include "redis/redis_url.h"
#include "store/record_codec.h"
#include "tokenwarden/session_store.h"

namespace tokenwarden::redis {

struct RecordCodec {
  std::function<Result<std::string>(std::string_view account, const AccountRecord&)> encode;
  std::function<Result<AccountRecord>(std::string_view account, std::string_view blob)> decode;
};

// The codec fleet agents use: the file store's sealed format and master key
// (the version inside the blob is unused; Redis keeps its own).
RecordCodec SealingCodec(store::RecordCipher cipher);

struct RedisStoreOptions {
  RedisUrl url;
  RecordCodec codec;
  std::string prefix = "tw";
  Duration timeout = std::chrono::seconds(2);
  // Called (on the subscriber's thread) with the account whose record
  // another agent changed, and with "" after a (re)subscription, meaning
  // "anything may have changed while we were not listening".
  std::function<void(const std::string& account)> on_change;
};

Result<std::unique_ptr<SessionStore>> MakeRedisStore(RedisStoreOptions options);

}  // namespace tokenwarden::redis

#endif  // TOKENWARDEN_REDIS_REDIS_STORE_H_
