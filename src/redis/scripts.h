// The Lua scripts that make the fleet store's operations atomic in Redis.
// Each account lives in one hash, so one script touches one key (Cluster-safe
// with a hash tag): tw:{account} -> blob, version, generation.
#ifndef TOKENWARDEN_REDIS_SCRIPTS_H_
#define TOKENWARDEN_REDIS_SCRIPTS_H_

namespace tokenwarden::redis {

// KEYS[1] record hash; ARGV: expected version, blob, generation, channel,
// message. Returns the new version; -1 when the version moved on (another
// writer won); -2 when the generation would go backwards (a fenced-off
// holder that lost its lease tries to write an old session).
inline constexpr const char* kSaveScript = R"lua(
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
local g = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
if tonumber(ARGV[3]) < g then return -2 end
redis.call('HSET', KEYS[1], 'blob', ARGV[2], 'version', v + 1, 'generation', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return v + 1
)lua";

// KEYS[1] lease key; ARGV: holder, ttl ms. Takes a free lease or extends
// one this holder already has. Returns 1 when held by `holder`, else 0.
inline constexpr const char* kLeaseScript = R"lua(
local cur = redis.call('GET', KEYS[1])
if cur == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
)lua";

// KEYS[1] lease key; ARGV[1] holder. Deletes only this holder's lease.
inline constexpr const char* kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

}  // namespace tokenwarden::redis

#endif  // TOKENWARDEN_REDIS_SCRIPTS_H_
