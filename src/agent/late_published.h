// A value published a little after the events meant for it begin.
//
// The agent starts every account (each restores its session from the store)
// before it publishes the directory that finds them by name; a fleet agent's
// store notifications ("account X changed") can arrive in between. Such an
// event is kept, and handed to the directory when it is published, rather
// than lost: a lost one would leave an account on a session another agent
// has replaced until its own next turn.
//
// The directory of accounts is read on every request's path, from every
// server thread. A std::atomic<shared_ptr> load takes a lock bit and bumps
// the one shared count: with two threads that cache line moved between the
// cores on each request, twice. So LoadCached() keeps, per thread, a
// reference with a control block of its own, in a slot of this object, and
// checks only an atomic version (as session/session_cell.h does for
// sessions). The slots are members, not thread_local: a value outlives no
// owner (a thread_local would hold a snapshot, with its accounts, past the
// agent's end).
#ifndef TOKENWARDEN_AGENT_LATE_PUBLISHED_H_
#define TOKENWARDEN_AGENT_LATE_PUBLISHED_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "util/own_count.h"
#include "util/thread_index.h"

namespace tokenwarden::agent {

// Thread-safety: every method may be called from any thread.
template <class Value>
class LatePublished {
 public:
  // How an event reaches the value: called with the value published last.
  using Deliver = std::function<void(const Value&, const std::string& event)>;

  explicit LatePublished(Deliver deliver) : deliver_(std::move(deliver)) {}

  // The value published last; null before the first Publish.
  std::shared_ptr<const Value> Load() const { return current_.load(); }

  // The same, for paths taken on every request. The pointer counts on the
  // calling thread's own control block, which keeps the value it shows
  // alive until the thread's next LoadCached (a replaced value lingers that
  // long: use Load() on paths that run once, such as a reload).
  std::shared_ptr<const Value> LoadCached() const {
    const size_t thread = ThisThreadIndex();
    if (thread >= kSlots) return current_.load();
    const uint64_t version = version_.load(std::memory_order_acquire);
    Slot& slot = slots_[thread];
    if (slot.version != version) {
      // At least as new as `version`: Publish stores before it counts.
      slot.value = WithOwnCount(current_.load());
      slot.version = version;
    }
    return slot.value;
  }

  // Replaces the value. The events kept until now go to it, each once.
  void Publish(std::shared_ptr<const Value> value) {
    std::vector<std::string> early;
    {
      std::lock_guard lock(early_mu_);
      current_.store(std::move(value));
      version_.fetch_add(1, std::memory_order_acq_rel);
      early.swap(early_);
    }
    for (const auto& event : early) Event(event);
  }

  // Hands `event` to the value, or keeps it until there is one.
  void Event(const std::string& event) {
    auto value = current_.load();
    if (!value) {
      std::lock_guard lock(early_mu_);
      value = current_.load();  // published since the first look
      if (!value) {
        early_.push_back(event);
        return;
      }
    }
    deliver_(*value, event);
  }

 private:
  // A thread's own reference to the value of `version`. One cache line
  // each, so that threads do not write each other's line.
  struct alignas(64) Slot {
    uint64_t version = 0;
    std::shared_ptr<const Value> value;  // counting on the thread's own block
  };
  // Threads numbered past this many (ThisThreadIndex) take the shared load.
  static constexpr size_t kSlots = 32;

  const Deliver deliver_;
  std::atomic<std::shared_ptr<const Value>> current_;
  std::atomic<uint64_t> version_{1};
  mutable std::array<Slot, kSlots> slots_;  // slot i: written by thread i only
  std::mutex early_mu_;
  std::vector<std::string> early_;  // guarded by early_mu_
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_LATE_PUBLISHED_H_
