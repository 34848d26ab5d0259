#include "redis/client.h"

namespace tokenwarden::redis {

using std::chrono::milliseconds;

Result<Reply> Client::Command(const std::vector<std::string>& args, bool idempotent) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    if (!conn_ || conn_->broken()) {
      conn_.reset();
      auto opened = Connection::Open(url_, timeout_);
      if (!opened.ok()) return std::move(opened).error();
      conn_ = std::move(*opened);
      fresh = true;
    }
    auto reply = conn_->Command(args);
    if (reply.ok() || !conn_->broken()) return reply;
    // The connection died under this command. A fresh connection that fails
    // is final; an old one may have been closed by the server while idle.
    if (fresh || !idempotent) return reply;
  }
  return MakeError(ErrorCode::kUnavailable, "redis: unreachable");
}

Subscriber::Subscriber(RedisUrl url, std::string channel,
                       std::function<void(const std::string&)> on_message,
                       std::function<void()> on_reconnect)
    : url_(std::move(url)),
      channel_(std::move(channel)),
      on_message_(std::move(on_message)),
      on_reconnect_(std::move(on_reconnect)),
      thread_([this] { Run(); }) {}

Subscriber::~Subscriber() {
  stop_.store(true);
  thread_.join();
}

void Subscriber::Run() {
  while (!stop_.load()) {
    auto opened = Connection::Open(url_, milliseconds(1000));
    if (!opened.ok()) {
      std::this_thread::sleep_for(milliseconds(200));
      continue;
    }
    std::unique_ptr<Connection> conn = std::move(*opened);
    if (!conn->Command({"SUBSCRIBE", channel_}).ok()) continue;
    subscribed_.store(true);
    if (on_reconnect_) on_reconnect_();
    while (!stop_.load()) {
      auto push = conn->ReadPush(milliseconds(100));
      if (!push.ok()) {
        if (push.error().code == ErrorCode::kDeadlineExceeded) continue;
        break;  // reconnect
      }
      // ["message", channel, payload]
      const Reply& r = *push;
      if (r.type == Reply::Type::kArray && r.elements.size() == 3 &&
          r.elements[0].str == "message") {
        on_message_(r.elements[2].str);
      }
    }
    subscribed_.store(false);
  }
}

}  // namespace tokenwarden::redis
