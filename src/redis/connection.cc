#include "redis/connection.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <cerrno>

namespace tokenwarden::redis {
namespace {

timeval ToTimeval(Duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  if (us <= 0) us = 1000;
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const RedisUrl& url, Duration timeout) {
  redisContext* ctx = redisConnectWithTimeout(url.host.c_str(), url.port, ToTimeval(timeout));
  if (ctx == nullptr) return MakeError(ErrorCode::kResourceExhausted, "redis: out of memory");
  if (ctx->err != 0) {
    std::string why = ctx->errstr;
    redisFree(ctx);
    return MakeError(ErrorCode::kUnavailable, "redis " + url.ToString() + ": " + why);
  }
  redisSetTimeout(ctx, ToTimeval(timeout));
  std::unique_ptr<Connection> conn(new Connection(ctx));
  if (!url.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!url.user.empty()) auth.push_back(url.user);
    auth.push_back(std::string(url.password.reveal()));
    auto r = conn->Command(auth);
    SecureZero(auth.back().data(), auth.back().size());
    if (!r.ok()) {
      return MakeError(ErrorCode::kPermissionDenied,
                       "redis " + url.ToString() + ": authentication failed");
    }
  }
  if (url.db != 0) {
    auto r = conn->Command({"SELECT", std::to_string(url.db)});
    if (!r.ok()) return WithContext(std::move(r).error(), "redis " + url.ToString());
  }
  return conn;
}

Connection::~Connection() { redisFree(ctx_); }

void Connection::SetTimeout(Duration timeout) { redisSetTimeout(ctx_, ToTimeval(timeout)); }

Result<Reply> Connection::Finish(void* raw_reply) {
  auto* reply = static_cast<redisReply*>(raw_reply);
  if (reply == nullptr) {
    broken_ = true;
    std::string why = ctx_->errstr[0] ? ctx_->errstr : "connection lost";
    return MakeError(ErrorCode::kUnavailable, "redis: " + why);
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    std::string text(reply->str, reply->len);
    freeReplyObject(reply);
    return MakeError(ErrorCode::kFailedPrecondition, "redis: " + text);
  }
  Reply out = Convert(reply);
  freeReplyObject(reply);
  return out;
}

Result<Reply> Connection::Command(const std::vector<std::string>& args) {
  if (broken_) return MakeError(ErrorCode::kUnavailable, "redis: connection is broken");
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  void* reply = redisCommandArgv(ctx_, static_cast<int>(args.size()), argv.data(), lens.data());
  return Finish(reply);
}

Result<Reply> Connection::ReadPush(Duration wait) {
  if (broken_) return MakeError(ErrorCode::kUnavailable, "redis: connection is broken");
  void* reply = nullptr;
  // A reply may already sit in hiredis's buffer.
  if (redisGetReplyFromReader(ctx_, &reply) != REDIS_OK) return Finish(nullptr);
  if (reply != nullptr) return Finish(reply);
  // Wait with poll() rather than a socket timeout: a timed-out hiredis read
  // marks the context failed, and an idle subscriber would reconnect forever.
  pollfd pfd{ctx_->fd, POLLIN, 0};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait).count();
  int ready = ::poll(&pfd, 1, static_cast<int>(ms < 0 ? 0 : ms));
  if (ready == 0) return MakeError(ErrorCode::kDeadlineExceeded, "redis: no message yet");
  if (ready < 0 && errno != EINTR) return Finish(nullptr);
  if (redisGetReply(ctx_, &reply) != REDIS_OK) return Finish(nullptr);
  return Finish(reply);
}

}  // namespace tokenwarden::redis
