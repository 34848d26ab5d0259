#include "session/session_cell.h"

#include <array>

#include "util/own_count.h"

namespace tokenwarden::session {
namespace {

std::atomic<uint64_t> next_cell_id{1};

// A thread's view of one cell: the version it last saw and its own
// reference to the session published at that version. Copying `session`
// bumps a count only this thread uses.
struct Slot {
  uint64_t cell = 0;
  uint64_t version = 0;
  std::shared_ptr<const Session> session;
};

// Direct-mapped by cell id. A thread that reads many cells in turn misses
// more often (and takes the slow path); it is never wrong.
constexpr size_t kSlots = 64;
thread_local std::array<Slot, kSlots> slots;

}  // namespace

SessionCell::SessionCell() : id_(next_cell_id.fetch_add(1, std::memory_order_relaxed)) {}

std::shared_ptr<const Session> SessionCell::Get() const {
  uint64_t version = version_.load(std::memory_order_acquire);
  Slot& slot = slots[id_ % kSlots];
  if (slot.cell == id_ && slot.version == version) return slot.session;
  // The session loaded here is at least as new as `version`: Set() stores
  // the session before it bumps the version.
  std::shared_ptr<const Session> shared = session_.load(std::memory_order_acquire);
  slot.cell = id_;
  slot.version = version;
  slot.session = WithOwnCount(std::move(shared));
  return slot.session;
}

void SessionCell::Set(std::shared_ptr<const Session> session) {
  expires_.store(session ? session->expires_at.time_since_epoch().count() : TimePoint::min().time_since_epoch().count(),
                 std::memory_order_release);
  session_.store(std::move(session), std::memory_order_release);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace tokenwarden::session
