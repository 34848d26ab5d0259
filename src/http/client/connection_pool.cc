#include "http/client/connection_pool.h"

#include <vector>

namespace tokenwarden::http {

std::unique_ptr<Connection> ConnectionPool::Take(
    const std::string& origin, const boost::asio::execution_context* context) {
  // Closed outside the lock: a TLS stream's destructor frees OpenSSL state.
  std::vector<std::unique_ptr<Connection>> stale;
  std::unique_ptr<Connection> found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find(origin);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    auto now = std::chrono::steady_clock::now();
    for (size_t i = list.size(); i-- > 0;) {
      if (list[i].connection->context() != context) continue;
      std::unique_ptr<Connection> candidate = std::move(list[i].connection);
      auto idle = now - list[i].since;
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
      if (idle < idle_timeout_ && (idle < kUnprobedIdle || candidate->LooksIdleAndOpen())) {
        found = std::move(candidate);
        break;
      }
      stale.push_back(std::move(candidate));
    }
    if (list.empty()) idle_.erase(it);
  }
  return found;
}

void ConnectionPool::Put(const std::string& origin,
                         std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> evicted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (max_idle_per_origin_ == 0) return;
    auto& list = idle_[origin];
    if (list.size() >= max_idle_per_origin_) {
      evicted = std::move(list.front().connection);
      list.pop_front();
    }
    list.push_back(
        Idle{std::move(connection), std::chrono::steady_clock::now()});
  }
}

void ConnectionPool::Clear() {
  std::map<std::string, std::deque<Idle>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(idle_);
  }
}

}  // namespace tokenwarden::http
