#include "http/client/connection_pool.h"

#include <functional>
#include <vector>

namespace tokenwarden::http {

std::unique_ptr<Connection> ConnectionPool::Take(
    const std::string& origin, const boost::asio::execution_context* context) {
  // Closed outside the lock: a TLS stream's destructor frees OpenSSL state.
  std::vector<std::unique_ptr<Connection>> stale;
  std::unique_ptr<Connection> found;
  Shard& shard = shards_.For(context);
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.idle.find(origin);
    if (it == shard.idle.end()) return nullptr;
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
    if (list.empty()) shard.idle.erase(it);
  }
  return found;
}

void ConnectionPool::Put(const std::string& origin,
                         std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> evicted;
  Shard& shard = shards_.For(connection->context());
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    if (max_idle_per_origin_ == 0) return;
    auto& list = shard.idle[origin];
    if (list.size() >= max_idle_per_origin_) {
      evicted = std::move(list.front().connection);
      list.pop_front();
    }
    list.push_back(
        Idle{std::move(connection), std::chrono::steady_clock::now()});
  }
}

void ConnectionPool::Clear() {
  shards_.ForEach([](Shard& shard) {
    std::map<std::string, std::deque<Idle>> all;
    std::lock_guard<std::mutex> lock(shard.mu);
    all.swap(shard.idle);
  });
}

}  // namespace tokenwarden::http
