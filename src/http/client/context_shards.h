// State kept per execution context, for the HTTP client's connections: a
// connection is only ever used on the context that made it, and server
// threads each run a context of their own (http/server.h), so with one
// shard, and one lock, per context, they never wait on one another. (One
// lock for all cost about 6 futex calls per proxied request with two
// server threads.) Internal to the HTTP client.
#ifndef TOKENWARDEN_HTTP_CLIENT_CONTEXT_SHARDS_H_
#define TOKENWARDEN_HTTP_CLIENT_CONTEXT_SHARDS_H_

#include <array>
#include <atomic>
#include <boost/asio/execution_context.hpp>
#include <cstddef>
#include <functional>

namespace tokenwarden::http {

// Past kShards contexts, shards are shared (by the context's address):
// users must still check each connection's context.
//
// Thread-safety: For may be called from any thread; a Shard guards itself.
template <class Shard>
class ContextShards {
 public:
  static constexpr size_t kShards = 8;

  // The shard claimed for `context`, claiming a free one the first time.
  Shard& For(const boost::asio::execution_context* context) {
    for (Slot& slot : slots_) {
      const boost::asio::execution_context* owner = slot.owner.load(std::memory_order_acquire);
      if (owner == context) return slot.shard;
      if (owner == nullptr) {
        if (slot.owner.compare_exchange_strong(owner, context, std::memory_order_acq_rel)) return slot.shard;
        if (owner == context) return slot.shard;  // claimed for the same context meanwhile
      }
    }
    return slots_[std::hash<const void*>{}(context) % kShards].shard;
  }

  // Calls `f` on every shard.
  template <class F>
  void ForEach(F f) {
    for (Slot& slot : slots_) f(slot.shard);
  }

 private:
  struct Slot {
    // The context this slot was claimed for; null while free.
    std::atomic<const boost::asio::execution_context*> owner{nullptr};
    Shard shard;
  };
  std::array<Slot, kShards> slots_;
};

}  // namespace tokenwarden::http

#endif  // TOKENWARDEN_HTTP_CLIENT_CONTEXT_SHARDS_H_
