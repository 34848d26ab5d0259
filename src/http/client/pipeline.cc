#include "http/client/pipeline.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/wire.h"

namespace tokenwarden::http {

namespace asio = boost::asio;

namespace {

Pipeline::Outcome GivenUp() {
  return {MakeError(ErrorCode::kUnavailable, "the upstream connection ended before this request's turn"),
          /*unseen=*/true, /*behind=*/true, nullptr};
}

}  // namespace

Pipeline::Pipeline(std::unique_ptr<Connection> connection, const asio::execution_context* context,
                   asio::any_io_executor executor)
    : connection_(std::move(connection)),
      executor_(std::move(executor)),
      context_(context),
      idle_since_(std::chrono::steady_clock::now()) {}

void Pipeline::Attach(std::unique_ptr<Connection> connection) {
  connection_ = std::move(connection);
  if (broken_) return;
  PostFlush();
  if (!queue_.empty()) queue_.front()->turn.cancel();  // its answer may come now
}

void Pipeline::Fail(Error error) {
  failed_ = std::move(error);
  broken_ = true;
  WakeAll(/*given_up=*/false);  // each finds failed_
}

asio::awaitable<Pipeline::Outcome> Pipeline::Exchange(const BaseUrl& base, std::string_view rest,
                                                      const ClientRequest& request,
                                                      const HttpClientOptions& options) {
  auto self = shared_from_this();  // for the requests behind, should the client forget this meanwhile
  Place place(executor_);
  if (broken_) co_return GivenUp();
  // A coroutine destroyed while it waits (its context stopped) leaves the queue too.
  struct Leaving {
    Pipeline& pipeline;
    Place& place;
    ~Leaving() { pipeline.Leave(place); }
  } leaving{*this, place};
  queue_.push_back(&place);
  place.queued = true;
  Connection::SetTarget(target_, base, rest);
  AppendWireRequest(out_, request.method, target_, base.host_header, request.headers, request.body);
  ++held_;
  // With requests written and unanswered, this one waits until their
  // answers have been read (below); else it goes after the other requests
  // of this batch of events.
  if (written_ == 0) PostFlush();
  if (queue_.front() != &place || !connection_) {
    boost::system::error_code woken;  // operation_aborted: the turn or the connection came, or it was given up
    co_await place.turn.async_wait(asio::redirect_error(asio::use_awaitable, woken));
  }
  if (failed_) co_return Outcome{*failed_, false, false, nullptr};
  if (place.given_up) co_return GivenUp();
  Result<ClientResponse> answer = co_await connection_->ReadAnswer(base, rest, request, options);
  Leave(place);
  if (written_ > 0) --written_;
  idle_since_ = std::chrono::steady_clock::now();
  if (!answer.ok()) {
    bool unseen = !connection_->answer_started();
    Break(/*close=*/true);
    co_return Outcome{std::move(answer), unseen, false, nullptr};
  }
  if (connection_->streaming()) {
    Outcome streamed{std::move(answer), false, false, std::move(connection_)};
    Break(/*close=*/false);
    co_return streamed;
  }
  if (!connection_->reusable()) {
    Break(/*close=*/true);
  } else {
    // The requests held meanwhile go once the answers that came are read:
    // a batch per read rather than a write per request.
    if (written_ == 0 || connection_->buffered() == 0) PostFlush();
    if (!queue_.empty()) queue_.front()->turn.cancel();  // the next answer is its
  }
  co_return Outcome{std::move(answer), false, false, nullptr};
}

void Pipeline::Leave(Place& place) {
  if (!place.queued) return;
  place.queued = false;
  auto it = std::find(queue_.begin(), queue_.end(), &place);
  if (it != queue_.end()) queue_.erase(it);  // the front, mostly: at once
}

void Pipeline::WakeAll(bool given_up) {
  for (Place* waiting : queue_) {
    waiting->queued = false;
    waiting->given_up = given_up;
    waiting->turn.cancel();
  }
  queue_.clear();
}

void Pipeline::Break(bool close) {
  broken_ = true;
  out_.clear();
  held_ = 0;
  WakeAll(/*given_up=*/true);
  if (close && connection_) connection_->Close();
}

void Pipeline::PostFlush() {
  if (flush_posted_ || out_.empty()) return;
  flush_posted_ = true;
  asio::post(executor_, [self = shared_from_this()] { self->Flush(); });
}

void Pipeline::Flush() {
  flush_posted_ = false;
  if (broken_ || !connection_ || !writing_.empty() || out_.empty()) return;
  writing_.swap(out_);
  written_ += held_;
  held_ = 0;
  asio::const_buffer data = asio::buffer(writing_);
  boost::system::error_code ec;
  if (connection_->WriteNow(data, ec)) {
    writing_.clear();
    if (ec) Break(/*close=*/true);  // the front's read fails, and tells
    return;
  }
  // The kernel's buffer is full (or TLS): the rest goes as the peer reads;
  // requests made meanwhile wait in out_.
  // (Its handler runs on the socket's executor: dispatched on to this one,
  // which may be a strand.)
  connection_->WriteLater(data, [self = shared_from_this()](boost::system::error_code written) {
    asio::dispatch(self->executor_, [self, written] {
      self->writing_.clear();
      if (written) {
        self->Break(/*close=*/true);
        return;
      }
      self->Flush();
    });
  });
}

std::shared_ptr<Pipeline> Pipelines::Find(const std::string& origin, const asio::execution_context* context) {
  std::vector<std::shared_ptr<Pipeline>> dropped;  // closed outside the lock
  std::shared_ptr<Pipeline> found;
  Shard& shard = shards_.For(context);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.by_origin.find(origin);
  if (it == shard.by_origin.end()) return nullptr;
  auto& list = it->second;
  auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < list.size();) {
    Pipeline& p = *list[i];
    if (p.context() != context) {  // a shard shared by contexts: not ours to look at
      ++i;
      continue;
    }
    if (!p.open() || (p.depth() == 0 && now - p.idle_since() >= idle_timeout_)) {
      dropped.push_back(std::move(list[i]));
      list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (!found && p.depth() < depth_) found = list[i];
    ++i;
  }
  if (list.empty()) shard.by_origin.erase(it);
  return found;
}

void Pipelines::Add(const std::string& origin, std::shared_ptr<Pipeline> pipeline) {
  Shard& shard = shards_.For(pipeline->context());
  std::lock_guard<std::mutex> lock(shard.mu);
  shard.by_origin[origin].push_back(std::move(pipeline));
}

void Pipelines::Clear() {
  shards_.ForEach([](Shard& shard) {
    std::map<std::string, std::vector<std::shared_ptr<Pipeline>>> all;
    std::lock_guard<std::mutex> lock(shard.mu);
    all.swap(shard.by_origin);
  });
}

}  // namespace tokenwarden::http
