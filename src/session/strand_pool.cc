#include "session/strand_pool.h"

#include "util/interned.h"

namespace tokenwarden::session {

std::shared_ptr<const StrandPool> StrandPool::For(const boost::asio::any_io_executor& executor) {
  static LastInterned<StrandPool> pools;
  return pools.GetIf([&](const StrandPool& p) { return p.executor_ == executor; },
                     [&] { return std::make_shared<const StrandPool>(executor); });
}

StrandPool::StrandPool(const boost::asio::any_io_executor& executor)
    : executor_(executor), alarms_(AlarmQueue::Make(executor)) {
  strands_.reserve(kStrands);
  for (size_t i = 0; i < kStrands; ++i) strands_.push_back(boost::asio::make_strand(executor));
}

const Strand& StrandPool::Next() const {
  return strands_[next_.fetch_add(1, std::memory_order_relaxed) % kStrands];
}

}  // namespace tokenwarden::session
