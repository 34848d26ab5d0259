// A value published a little after the events meant for it begin.
//
// The agent starts every account (each restores its session from the store)
// before it publishes the directory that finds them by name; a fleet agent's
// store notifications ("account X changed") can arrive in between. Such an
// event is kept, and handed to the directory when it is published, rather
// than lost: a lost one would leave an account on a session another agent
// has replaced until its own next turn.
#ifndef TOKENWARDEN_AGENT_LATE_PUBLISHED_H_
#define TOKENWARDEN_AGENT_LATE_PUBLISHED_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

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

  // Replaces the value. The events kept until now go to it, each once.
  void Publish(std::shared_ptr<const Value> value) {
    std::vector<std::string> early;
    {
      std::lock_guard lock(early_mu_);
      current_.store(std::move(value));
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
  const Deliver deliver_;
  std::atomic<std::shared_ptr<const Value>> current_;
  std::mutex early_mu_;
  std::vector<std::string> early_;  // guarded by early_mu_
};

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_LATE_PUBLISHED_H_
