#include "redis/redis_store.h"

#include <charconv>

#include "redis/client.h"
#include "redis/scripts.h"

namespace tokenwarden::redis {
namespace {

class RedisStore : public SessionStore {
 public:
  explicit RedisStore(RedisStoreOptions options)
      : options_(std::move(options)), client_(options_.url, options_.timeout) {
    if (options_.on_change) {
      subscriber_ = std::make_unique<Subscriber>(
          options_.url, Channel(),
          [this](const std::string& message) {
            // "<account> <version>"
            options_.on_change(message.substr(0, message.find(' ')));
          },
          [this] { options_.on_change(""); });
    }
  }

  Result<std::optional<VersionedRecord>> Load(std::string_view account) override {
    TW_ASSIGN_OR_RETURN(Reply reply, client_.Command({"HMGET", RecordKey(account), "blob", "version"}));
    if (reply.elements.size() != 2 || reply.elements[0].is_nil()) {
      return std::optional<VersionedRecord>();
    }
    auto record = options_.codec.decode(account, reply.elements[0].str);
    if (!record.ok()) {
      return MakeError(ErrorCode::kDataLoss, "redis record of account '" + std::string(account) +
                                                 "': " + record.error().message);
    }
    uint64_t version = 0;
    const std::string& v = reply.elements[1].str;
    if (std::from_chars(v.data(), v.data() + v.size(), version).ec != std::errc()) {
      return MakeError(ErrorCode::kDataLoss, "redis record of account '" + std::string(account) +
                                                 "' has no valid version");
    }
    VersionedRecord out{std::move(*record), version};
    return std::optional<VersionedRecord>(std::move(out));
  }

  Result<uint64_t> Save(std::string_view account, const AccountRecord& record,
                        uint64_t expected_version) override {
    TW_ASSIGN_OR_RETURN(std::string blob, options_.codec.encode(account, record));
    uint64_t generation = record.session ? record.session->generation : 0;
    std::string message = std::string(account) + " " + std::to_string(expected_version + 1);
    // Not idempotent: a lost reply could hide a save that happened; the
    // caller reloads and sees the version either way.
    TW_ASSIGN_OR_RETURN(Reply reply,
                        client_.Command({"EVAL", kSaveScript, "1", RecordKey(account),
                                         std::to_string(expected_version), blob,
                                         std::to_string(generation), Channel(), message},
                                        /*idempotent=*/false));
    if (reply.integer == -1) {
      return MakeError(ErrorCode::kAborted, "account '" + std::string(account) +
                                                "' was saved by another agent first");
    }
    if (reply.integer == -2) {
      return MakeError(ErrorCode::kAborted, "account '" + std::string(account) +
                                                "' holds a newer generation than this save");
    }
    return static_cast<uint64_t>(reply.integer);
  }

  Result<bool> TryLease(std::string_view account, std::string_view holder, Duration ttl) override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
    TW_ASSIGN_OR_RETURN(Reply reply,
                        client_.Command({"EVAL", kLeaseScript, "1", LeaseKey(account),
                                         std::string(holder), std::to_string(ms < 1 ? 1 : ms)}));
    return reply.integer == 1;
  }

  Status ReleaseLease(std::string_view account, std::string_view holder) override {
    TW_ASSIGN_OR_RETURN(Reply reply, client_.Command({"EVAL", kReleaseScript, "1", LeaseKey(account),
                                                      std::string(holder)}));
    (void)reply;
    return OkStatus();
  }

 private:
  // The braces are a Redis Cluster hash tag: an account's keys share a slot.
  std::string RecordKey(std::string_view account) const {
    return options_.prefix + ":{" + std::string(account) + "}";
  }
  std::string LeaseKey(std::string_view account) const { return RecordKey(account) + ":lease"; }
  std::string Channel() const { return options_.prefix + ":sessions"; }

  RedisStoreOptions options_;
  Client client_;
  std::unique_ptr<Subscriber> subscriber_;  // last: stops before the rest goes
};

}  // namespace

RecordCodec SealingCodec(store::RecordCipher cipher) {
  auto shared = std::make_shared<store::RecordCipher>(std::move(cipher));
  return RecordCodec{
      [shared](std::string_view account, const AccountRecord& r) { return shared->Seal(account, r, 0); },
      [shared](std::string_view account, std::string_view blob) -> Result<AccountRecord> {
        TW_ASSIGN_OR_RETURN(VersionedRecord v, shared->Open(account, blob));
        return std::move(v.record);
      }};
}

Result<std::unique_ptr<SessionStore>> MakeRedisStore(RedisStoreOptions options) {
  if (!options.codec.encode || !options.codec.decode) {
    return MakeError(ErrorCode::kInvalidArgument, "redis store: a record codec is required");
  }
  // A wrong password or database is a configuration error: fail at start-up.
  // An unreachable Redis is not: agents start and serve what they can, and
  // the engine retries the store (docs/FLEET.md).
  Client probe(options.url, options.timeout);
  auto pong = probe.Command({"PING"});
  if (!pong.ok() && pong.error().code != ErrorCode::kUnavailable) {
    return WithContext(std::move(pong).error(), "redis store " + options.url.ToString());
  }
  return std::unique_ptr<SessionStore>(new RedisStore(std::move(options)));
}

}  // namespace tokenwarden::redis
