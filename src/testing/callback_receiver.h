// Test support: a merchant's callback endpoint on loopback that
// records what the bank sends and fails the first N deliveries.
#ifndef TOKENWARDEN_TESTING_CALLBACK_RECEIVER_H_
#define TOKENWARDEN_TESTING_CALLBACK_RECEIVER_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"

namespace tokenwarden::testing {

class CallbackReceiver {
 public:
  // Answers the first `fail_first` callbacks 500, the rest 200.
  explicit CallbackReceiver(int fail_first = 0) : fail_first_(fail_first) {
    auto s = http::Server::Start({}, http::Sync([this](const http::Request& r) {
      std::lock_guard<std::mutex> lock(mu_);
      ++attempts_;
      if (attempts_ <= fail_first_) return http::Response::Json(500, {{"error", "not now"}});
      bodies_.push_back(nlohmann::json::parse(r.body, nullptr, false));
      return http::Response::Json(200, {{"ok", true}});
    }));
    if (s.ok()) server_ = std::move(*s);
  }
  ~CallbackReceiver() {
    if (server_) server_->Stop(std::chrono::seconds(1));
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/notify"; }

  // The bodies received with a 200 answer, once there are at least `n`, or
  // what there is after `timeout` (real time).
  std::vector<nlohmann::json> WaitFor(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (bodies_.size() >= n) return bodies_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

  int attempts() {
    std::lock_guard<std::mutex> lock(mu_);
    return attempts_;
  }

 private:
  std::mutex mu_;
  int fail_first_;
  int attempts_ = 0;
  std::vector<nlohmann::json> bodies_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace tokenwarden::testing

#endif  // TOKENWARDEN_TESTING_CALLBACK_RECEIVER_H_
