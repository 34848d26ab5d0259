#include "emulator/callbacks.h"

#include <array>
#include <vector>

#include "emulator/orders.h"
#include "http/client/url.h"
#include "http/sync_call.h"
#include "util/log.h"
#include "util/time_format.h"

namespace tokenwarden::emulator {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// The waits before each resend, after the first attempt.
constexpr std::array<Duration, 5> kResendAfter = {seconds(5), seconds(30), minutes(5), minutes(30), minutes(60)};
constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr auto kCallTimeout = std::chrono::seconds(5);

// "127.0.0.1:8080" and the target for a loopback http:// URL, or nullopt.
std::optional<std::pair<std::string, std::string>> LoopbackAddress(const std::string& url) {
  auto u = http::Url::Parse(url);
  if (!u.ok() || u->is_https() || !http::IsLoopbackHost(u->host) || u->host.find(':') != std::string::npos) {
    return std::nullopt;
  }
  std::string host = u->host == "localhost" ? "127.0.0.1" : u->host;
  return std::make_pair(host + ":" + std::to_string(u->port), u->target);
}

}  // namespace

void QueueCallback(State& state, const std::string& service_code, const std::string& url,
                   const nlohmann::json& body) {
  auto m = state.merchants.find(service_code);
  if (!LoopbackAddress(url)) {
    if (m != state.merchants.end()) ++m->second.callbacks_refused;
    return;
  }
  if (state.callbacks.size() >= state.settings.max_pending_callbacks) {
    if (m != state.merchants.end()) ++m->second.callbacks_dropped;
    return;
  }
  state.callbacks.push_back({service_code, url, body.dump(), 0, state.clock->Now()});
}

size_t PendingCallbacks(const State& state, const std::string& service_code) {
  return static_cast<size_t>(std::count_if(state.callbacks.begin(), state.callbacks.end(),
                                           [&](const Callback& c) { return c.service_code == service_code; }));
}

CallbackSender::CallbackSender(std::shared_ptr<State> state)
    : state_(std::move(state)), thread_([this](std::stop_token stop) { Run(stop); }) {}

CallbackSender::~CallbackSender() {
  thread_.request_stop();
  thread_.join();
}

void CallbackSender::Run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::vector<Callback> due;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      SweepOrders(*state_);
      TimePoint now = state_->clock->Now();
      for (auto it = state_->callbacks.begin(); it != state_->callbacks.end();) {
        if (it->due <= now) {
          due.push_back(std::move(*it));
          it = state_->callbacks.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& c : due) {
      if (stop.stop_requested()) break;
      Deliver(std::move(c));
    }
    std::this_thread::sleep_for(kPoll);
  }
}

void CallbackSender::Deliver(Callback c) {
  auto address = LoopbackAddress(c.url);
  auto reply = http::SyncCall(address->first, "POST", address->second, {{"Content-Type", "application/json"}}, c.body,
                              kCallTimeout);
  bool ok = reply.ok() && reply->status == 200;
  log::Info("callback", {{"attempt", c.attempts + 1}, {"status", reply.ok() ? reply->status : 0}, {"delivered", ok}});
  std::lock_guard<std::mutex> lock(state_->mu);
  auto m = state_->merchants.find(c.service_code);
  if (m == state_->merchants.end()) return;  // forgotten by a reset meanwhile
  auto& recent = m->second.recent_callbacks;
  recent.push_back({{"url", c.url},
                    {"attempt", c.attempts + 1},
                    {"status", reply.ok() ? reply->status : 0},
                    {"delivered", ok},
                    {"at", FormatUtcIso(state_->clock->Now())}});
  if (recent.size() > Merchant::kRecentCallbacks) recent.pop_front();
  if (ok) {
    ++m->second.callbacks_delivered;
    return;
  }
  ++m->second.callback_failures;
  if (c.attempts >= static_cast<int>(kResendAfter.size())) return;  // the last documented resend failed
  if (state_->callbacks.size() >= state_->settings.max_pending_callbacks) {
    // New callbacks filled the queue while this one was on its way.
    ++m->second.callbacks_dropped;
    return;
  }
  c.due = state_->clock->Now() + kResendAfter[c.attempts];
  ++c.attempts;
  state_->callbacks.push_back(std::move(c));
}

}  // namespace tokenwarden::emulator
