// libFuzzer: a connection's bytes as the agent gets them. The server's
// request parser (http/message_parser.h) with the agent's limits, the
// http::Request it makes of each request, the AccessGuard, and
// LocalApi::Handle's routing, run to completion on an io_context; pipelined requests go on while the
// connection is kept alive, as in src/http/server.cc.
//
// Two agents answer every request: one without [[client]] tables and one
// with client tokens. Neither has an account: every account route needs an
// upstream (or a timer waiting for one), so they end in unknown_account; the
// parsing, guard and routing in front of them is what this covers.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>
// (keep the line above first)
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "agent/access_guard.h"
#include "agent/local_api.h"
#include "agent/metrics.h"
#include "http/message_parser.h"
#include "http/message.h"
#include "tokenwarden/clock.h"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace tokenwarden;

// As the agent configures its server (src/agent/agent.cc, ServerOptions).
constexpr uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr uint64_t kMaxBodyBytes = 8 * 1024 * 1024;
constexpr int kMaxRequestsPerInput = 8;

class NoAccounts final : public agent::AccountDirectory {
 public:
  explicit NoAccounts(std::vector<agent::ClientConfig> clients)
      : guard_(std::make_shared<agent::AccessGuard>(std::move(clients))) {}
  std::shared_ptr<agent::AccountRuntime> Find(std::string_view) const override { return nullptr; }
  agent::AccountList All() const override { return none_; }
  std::shared_ptr<const agent::AccessGuard> guard() const override { return guard_; }

 private:
  std::shared_ptr<const agent::AccessGuard> guard_;
  agent::AccountList none_ = std::make_shared<const std::vector<std::shared_ptr<agent::AccountRuntime>>>();
};

struct FuzzAgent {
  explicit FuzzAgent(std::vector<agent::ClientConfig> clients)
      : directory(std::move(clients)),
        clock(std::make_shared<ManualClock>(TimePoint(std::chrono::seconds(1767225600)))),
        api(directory, metrics, clock) {
    metrics.GetCounter("tokenwarden_fuzz_requests_total", "Requests fuzzed.", {{"agent", "fuzz"}}).Increment();
  }
  NoAccounts directory;
  agent::MetricsRegistry metrics;
  std::shared_ptr<ManualClock> clock;
  agent::LocalApi api;
};

struct State {
  asio::io_context ioc;
  FuzzAgent open{{}};
  FuzzAgent guarded{{{"php", Secret("0123456789abcdef0"), {"shop"}}, {"ops", Secret("fedcba9876543210f"), {"*"}}}};
};
State* g_state = nullptr;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The guard's contract: allowed, or refused with 401/403 and a code.
void CheckGuard(const FuzzAgent& a, const http::Request& request) {
  std::string_view path = request.path();
  bool is_v1 = StartsWith(path, "/v1/");
  std::string_view account;
  if (StartsWith(path, "/v1/token/")) account = path.substr(10);
  if (StartsWith(path, "/proxy/")) account = path.substr(7);
  account = account.substr(0, account.find('/'));
  auto headers = [&request](std::string_view name) { return request.header(name); };
  agent::AccessDecision d = a.directory.guard()->Check(headers, is_v1, account);
  if (!d.allowed && ((d.status != 401 && d.status != 403) || d.error.empty() || d.message.empty())) std::abort();
}

// LocalApi::Handle to completion; it never throws and always answers.
http::Response Handle(FuzzAgent& a, http::Request request) {
  std::optional<http::Response> answer;
  std::exception_ptr thrown;
  asio::co_spawn(g_state->ioc, a.api.Handle(std::move(request)),
                 [&](std::exception_ptr e, http::Response r) {
                   thrown = e;
                   if (!e) answer = std::move(r);
                 });
  g_state->ioc.restart();
  g_state->ioc.run();
  if (thrown || !answer) std::abort();
  return std::move(*answer);
}

// The server's Write: the response as it goes on the wire.
void Serialize(http::Response& r, unsigned version, bool keep_alive) {
  if (r.status < 100 || r.status > 599) std::abort();
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(r.status), version};
  for (const auto& [k, v] : r.headers) out.set(k, v);
  out.keep_alive(keep_alive);
  out.body() = std::move(r.body);
  out.prepare_payload();
  std::ostringstream wire;
  wire << out;
  if (wire.str().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_state = new State();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < kMaxRequestsPerInput && !in.empty(); ++i) {
    http::RequestParser parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    boost::system::error_code ec;
    // All of the connection's bytes are there at once; when the parser
    // wants more than is left, the peer has closed.
    while (!parser.is_done()) {
      size_t n = parser.put(asio::buffer(in.data(), in.size()), ec);
      in.remove_prefix(n);
      if (ec == bhttp::error::need_more || (!ec && n == 0)) {
        ec = {};
        if (n > 0) continue;
        parser.put_eof(ec);
        if (!ec && !parser.is_done()) ec = bhttp::error::partial_message;
      }
      if (ec) break;
    }
    if (ec) return 0;  // the server answers 400/413/431 or closes

    // Exactly as the server makes the Request.
    http::Request request = std::move(parser.get());
    request.peer = "127.0.0.1:40000";
    request.peer_is_loopback = true;
    bool keep_alive = parser.keep_alive();
    unsigned version = parser.version();

    bool dropped = false;
    for (FuzzAgent* a : {&g_state->open, &g_state->guarded}) {
      CheckGuard(*a, request);
      http::Response response = Handle(*a, request);
      dropped = dropped || response.drop_connection;
      if (!response.drop_connection) Serialize(response, version, keep_alive);
    }
    if (dropped || !keep_alive) break;
  }
  return 0;
}
