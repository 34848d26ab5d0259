// The ids of one of the state's maps in order of an age (a creation time or
// an expiry), kept beside the map so that the oldest, or those past a
// cut-off, are found in log n. Without it every request that bounded the
// state scanned a whole map under the state's one mutex: 10,000 orders made
// the refresh-storm benchmark's create-orders three times slower.
#ifndef TOKENWARDEN_EMULATOR_AGE_INDEX_H_
#define TOKENWARDEN_EMULATOR_AGE_INDEX_H_

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "tokenwarden/clock.h"

namespace tokenwarden::emulator {

// Not thread-safe: guarded by the state's mutex like the map it indexes.
// The map's owner keeps the two in step: Add when an id is inserted, Remove
// (or Move) when it is erased or its age changes.
class AgeIndex {
 public:
  void Add(TimePoint age, const std::string& id) { by_age_.emplace(age, id); }
  // Removes nothing when (age, id) is not indexed.
  void Remove(TimePoint age, const std::string& id) { by_age_.erase({age, id}); }
  void Move(TimePoint from, TimePoint to, const std::string& id) {
    Remove(from, id);
    Add(to, id);
  }
  void clear() { by_age_.clear(); }
  size_t size() const { return by_age_.size(); }

  // Takes out and returns the oldest id aged at or before `now`, if any.
  std::optional<std::string> PopDue(TimePoint now) {
    if (by_age_.empty() || by_age_.begin()->first > now) return std::nullopt;
    std::string id = std::move(by_age_.begin()->second);
    by_age_.erase(by_age_.begin());
    return id;
  }

  // Erases from `map` (keyed by id) the elements aged before `cutoff`, then
  // the oldest while it holds more than `most`, and calls `forget(value)`
  // on each before it goes. Costs log n per element erased.
  template <typename Map, typename Forget>
  void Trim(Map& map, TimePoint cutoff, size_t most, Forget forget) {
    while (!by_age_.empty() && (by_age_.begin()->first < cutoff || map.size() > most)) {
      if (auto it = map.find(by_age_.begin()->second); it != map.end()) {
        forget(it->second);
        map.erase(it);
      }
      by_age_.erase(by_age_.begin());
    }
  }
  template <typename Map>
  void Trim(Map& map, TimePoint cutoff, size_t most) {
    Trim(map, cutoff, most, [](const auto&) {});
  }

 private:
  std::set<std::pair<TimePoint, std::string>> by_age_;
};

}  // namespace tokenwarden::emulator

#endif  // TOKENWARDEN_EMULATOR_AGE_INDEX_H_
