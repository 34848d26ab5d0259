#include "agent/agent.h"

#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "agent/dropin.h"
#include "agent/late_published.h"
#include "agent/local_api.h"
#include "http/server.h"
#include "redis/redis_store.h"
#include "session/shared_options.h"
#include "store/record_codec.h"
#include "util/log.h"

namespace tokenwarden::agent {
namespace {

// The configured connection limit, lowered to what the process's
// descriptor limit allows (upstream connections, the store and logs need
// some too), with a warning that says how to raise it.
int ConnectionLimit(int configured) {
  constexpr rlim_t kReserved = 256;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return configured;
  rlim_t usable = limit.rlim_cur > 2 * kReserved ? limit.rlim_cur - kReserved : limit.rlim_cur / 2;
  if (static_cast<rlim_t>(configured) <= usable) return configured;
  log::Warn("connection_limit_lowered",
            {{"max_connections", configured},
             {"allowed", usable},
             {"message", "the open-files limit is " + std::to_string(limit.rlim_cur) +
                             "; raise it (LimitNOFILE= in the unit, ulimit -n) to allow more"}});
  return static_cast<int>(usable);
}

// What requests see; replaced whole by a reload.
// Counts accounts through their first step (the store read) and logs one
// line when all are through: 100,000 accounts restoring log one line, not
// 100,000 (each account's own line is at debug level).
struct StartTally {
  std::atomic<size_t> pending{1};  // the building, then one per account
  std::atomic<size_t> restored{0};
  size_t accounts = 0;             // set before the building's own Started()
  std::chrono::steady_clock::time_point begun = std::chrono::steady_clock::now();

  void Started(bool with_session) {
    if (with_session) restored.fetch_add(1, std::memory_order_relaxed);
    if (pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    log::Info("accounts_started",
              {{"accounts", accounts},
               {"sessions_restored", restored.load(std::memory_order_relaxed)},
               {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count()}});
  }
};

struct Snapshot {
  // Sorted by id once built (Sort()). One array rather than a tree: a lookup
  // is the same binary search, a walk (a /readyz probe, the metrics) reads
  // consecutive pointers instead of chasing 100,000 tree nodes, and an
  // account costs 16 bytes here instead of a node holding a copy of its id.
  std::vector<std::shared_ptr<AccountRuntime>> accounts;
  std::shared_ptr<const AccessGuard> guard;

  // REQUIRES: ids unique (the config parser refuses a repeated id).
  void Sort() {
    std::sort(accounts.begin(), accounts.end(),
              [](const auto& a, const auto& b) { return a->id < b->id; });
  }
  // The account's own pointer (a reload keeps it in the next snapshot).
  std::shared_ptr<AccountRuntime> Find(std::string_view id) const {
    auto it = Position(id);
    return it != accounts.end() ? *it : nullptr;
  }
  AccountRuntime* FindRaw(std::string_view id) const {
    auto it = Position(id);
    return it != accounts.end() ? it->get() : nullptr;
  }

 private:
  std::vector<std::shared_ptr<AccountRuntime>>::const_iterator Position(std::string_view id) const {
    auto it = std::lower_bound(accounts.begin(), accounts.end(), id,
                               [](const auto& a, std::string_view key) { return a->id < key; });
    return it != accounts.end() && (*it)->id == id ? it : accounts.end();
  }
};

class AgentImpl final : public Agent, public AccountDirectory {
 public:
  AgentImpl(AgentConfig config, std::shared_ptr<Clock> clock)
      : config_(std::move(config)), clock_(std::move(clock)) {}

  ~AgentImpl() override { Stop(std::chrono::seconds(0)); }

  Status Init() {
    TW_RETURN_IF_ERROR(log::SetLevel(config_.log_level));
    TW_RETURN_IF_ERROR(OpenStore());
    deps_.clock = clock_;
    deps_.store = store_;
    deps_.executor = ioc_.get_executor();
    deps_.holder_id = session::RandomHolderId();
    deps_.lease_ttl = config_.lease_ttl;
    auto snapshot = std::make_shared<Snapshot>();
    snapshot->guard = std::make_shared<AccessGuard>(config_.clients);
    // Each account starts (restores its session from the store) on the io
    // threads while the next ones are built: with 100,000 accounts the
    // building and the restoring overlap.
    int io_threads = std::max(1, config_.threads);
    for (int i = 0; i < io_threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
    auto tally = std::make_shared<StartTally>();
    std::vector<std::pair<std::string, std::string>> own_dropins;  // listen, account
    for (const AccountConfig& c : config_.accounts) {
      if (!c.dropin_listen.empty()) own_dropins.emplace_back(c.dropin_listen, c.id);
      auto runtime = Build(c);
      if (!runtime.ok()) {
        snapshot_.Publish(snapshot);  // so that Stop() stops the ones started
        return runtime.error();
      }
      tally->pending.fetch_add(1);
      (*runtime)->manager->Start([tally](bool restored) { tally->Started(restored); });
      snapshot->accounts.push_back(std::move(*runtime));
    }
    snapshot->Sort();
    tally->accounts = snapshot->accounts.size();
    tally->Started(false);  // the building is done
    DropAccountList();
    snapshot_.Publish(snapshot);  // with the store changes that came while the accounts started
    RegisterMetrics();

    api_ = std::make_unique<LocalApi>(*this, metrics_, clock_);
    http::ServerOptions so;
    so.listen = config_.listen;
    so.threads = config_.threads;
    so.max_body_bytes = 8 * 1024 * 1024;  // proxied request bodies
    so.max_connections = ConnectionLimit(config_.max_connections);
    auto server = http::Server::Start(so, [api = api_.get()](http::Request r) { return api->Handle(std::move(r)); });
    if (!server.ok()) {
      return MakeError(server.error().code, config_.file.string() + ": [agent] listen: " + server.error().message);
    }
    server_ = std::move(*server);
    log::Info("agent_listening", {{"listen", config_.listen},
                                  {"port", server_->port()},
                                  {"accounts", snapshot->accounts.size()},
                                  {"state", config_.state == "file" ? "file" : "redis"}});
    if (!config_.dropin_listen.empty()) TW_RETURN_IF_ERROR(StartDropin(config_.dropin_listen, ""));
    for (const auto& [listen, account] : own_dropins) TW_RETURN_IF_ERROR(StartDropin(listen, account));
    return OkStatus();
  }

  // A drop-in listener (agent/dropin.h): every account's, or `account`'s alone.
  Status StartDropin(const std::string& listen, const std::string& account) {
    DropinOptions o;
    o.only_account = account;
    auto api = std::make_unique<DropinApi>(*this, metrics_, clock_, o);
    http::ServerOptions so;
    so.listen = listen;
    so.threads = config_.threads;
    so.max_body_bytes = 8 * 1024 * 1024;  // as the proxy: held whole, a retry sends it again
    so.max_connections = ConnectionLimit(config_.max_connections);
    so.error_responder = &DropinApi::ServerError;
    auto server = http::Server::Start(so, [api = api.get()](http::Request r) { return api->Handle(std::move(r)); });
    std::string field = account.empty() ? "[dropin] listen" : "account '" + account + "': dropin_listen";
    if (!server.ok()) {
      return MakeError(server.error().code, config_.file.string() + ": " + field + ": " + server.error().message);
    }
    log::Info("dropin_listening", {{"listen", listen}, {"port", (*server)->port()}, {"account", account}});
    dropin_apis_.push_back(std::move(api));
    dropin_servers_.push_back(std::move(*server));
    return OkStatus();
  }

  int port() const override { return server_ ? server_->port() : 0; }

  Status Reload(AgentConfig next) override {
    for (const char* field : {"listen", "dropin", "state", "state_dir", "master_key_file", "threads", "lease_ttl", "max_connections"}) {
      if (RestartField(config_, next, field)) {
        log::Warn("reload_needs_restart", {{"field", field}, {"message", "this change takes effect after a restart"}});
      }
    }
    TW_RETURN_IF_ERROR(log::SetLevel(next.log_level));
    auto old = snapshot_.Load();
    auto snapshot = std::make_shared<Snapshot>();
    snapshot->guard = std::make_shared<AccessGuard>(next.clients);
    std::vector<std::shared_ptr<AccountRuntime>> started;
    for (const AccountConfig& c : next.accounts) {
      auto same = old->Find(c.id);
      if (same && SameAccount(*same, c)) {
        snapshot->accounts.push_back(std::move(same));
        continue;
      }
      auto runtime = Build(c);
      if (!runtime.ok()) return runtime.error();
      if (same) (*runtime)->token_reads.Increment(same->token_reads.value());  // a changed account counts on
      started.push_back(*runtime);
      snapshot->accounts.push_back(std::move(*runtime));
    }
    snapshot->Sort();
    for (auto& a : started) a->manager->Start();
    snapshot_.Publish(snapshot);
    int stopped = 0;
    for (auto& a : old->accounts) {
      if (snapshot->Find(a->id) != a) {
        a->manager->Stop();
        ++stopped;
      }
    }
    // Keep the sticky fields; take the rest.
    next.listen = config_.listen;
    next.dropin_listen = config_.dropin_listen;
    next.state = config_.state;
    next.state_dir = config_.state_dir;
    next.master_key_file = config_.master_key_file;
    next.threads = config_.threads;
    config_ = std::move(next);
    DropAccountList();
    log::Info("reloaded", {{"accounts", snapshot->accounts.size()},
                           {"started", started.size()},
                           {"stopped", stopped}});
    return OkStatus();
  }

  // Each account's settings live in its runtime (reload compares against
  // those); the parsed list is not kept twice (about 0.5 KiB an account).
  // Then hands the pages malloc keeps free back to the system: parsing a
  // configuration of 100,000 accounts peaks at about 250 MiB of heap, and
  // what it freed would otherwise stay resident, lent to nobody.
  void DropAccountList() {
    std::vector<AccountConfig>().swap(config_.accounts);
    malloc_trim(0);
  }

  void Stop(Duration drain) override {
    if (stopped_.exchange(true)) return;
    if (server_) server_->Stop(drain);
    for (auto& d : dropin_servers_) d->Stop(drain);
    auto snapshot = snapshot_.Load();
    if (snapshot) {
      for (auto& a : snapshot->accounts) a->manager->Stop();
    }
    // Let the managers' coroutines end, so that nothing of theirs outlives
    // this io_context.
    work_.reset();
    for (int i = 0; i < 300 && !threads_.empty() && !ioc_.stopped(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // Then close the idle upstream connections, with every thread gone: a
    // proxied call that finished during the drain may have put one back, and
    // pooled sockets must not outlive the io_contexts (this one, the
    // server's) they belong to.
    deps_.clients->CloseIdle();
    log::Info("agent_stopped");
  }

  // AccountDirectory.
  // On every request's path: the account is held through the snapshot, by
  // the calling thread's own count (LatePublished), not by the account's
  // count, which every server thread would share.
  std::shared_ptr<AccountRuntime> Find(std::string_view id) const override {
    auto snapshot = snapshot_.LoadCached();
    AccountRuntime* found = snapshot->FindRaw(id);
    return found ? std::shared_ptr<AccountRuntime>(std::move(snapshot), found) : nullptr;
  }
  // The snapshot's own list, kept alive by the pointer: no copy per call.
  AccountList All() const override {
    auto snapshot = snapshot_.Load();
    return AccountList(snapshot, &snapshot->accounts);
  }
  std::shared_ptr<const AccessGuard> guard() const override {
    auto snapshot = snapshot_.LoadCached();
    const AccessGuard* guard = snapshot->guard.get();
    return std::shared_ptr<const AccessGuard>(std::move(snapshot), guard);
  }

 private:
  static bool RestartField(const AgentConfig& a, const AgentConfig& b, std::string_view field) {
    if (field == "listen") return a.listen != b.listen;
    if (field == "dropin") return a.dropin_listen != b.dropin_listen;
    if (field == "state") return a.state != b.state;
    if (field == "state_dir") return a.state_dir != b.state_dir;
    if (field == "master_key_file") return a.master_key_file != b.master_key_file;
    if (field == "lease_ttl") return a.lease_ttl != b.lease_ttl;
    if (field == "max_connections") return a.max_connections != b.max_connections;
    return a.threads != b.threads;
  }

  Status OpenStore() {
    std::filesystem::path key_file =
        config_.master_key_file.empty() ? config_.state_dir / "master.key" : config_.master_key_file;
    if (config_.state == "file") {
      FileStoreOptions o;
      o.state_dir = config_.state_dir;
      o.key_file = key_file;
      auto store = MakeFileStore(o);
      if (!store.ok()) return MakeError(store.error().code, config_.file.string() + ": [agent] state_dir: " + store.error().message);
      store_ = std::move(*store);
      return OkStatus();
    }
    auto url = redis::ParseRedisUrl(config_.state);
    if (!url.ok()) return MakeError(url.error().code, config_.file.string() + ": [agent] state: " + url.error().message);
    if (!std::filesystem::exists(key_file.parent_path())) std::filesystem::create_directories(key_file.parent_path());
    auto key = store::LoadOrCreateMasterKey(key_file);
    if (!key.ok()) return MakeError(key.error().code, config_.file.string() + ": [agent] master key: " + key.error().message);
    auto cipher = store::RecordCipher::Create(std::move(*key));
    if (!cipher.ok()) return cipher.error();
    redis::RedisStoreOptions o;
    o.url = std::move(*url);
    o.codec = redis::SealingCodec(std::move(*cipher));
    o.on_change = [this](const std::string& account) { snapshot_.Event(account); };
    auto store = redis::MakeRedisStore(std::move(o));
    if (!store.ok()) return MakeError(store.error().code, config_.file.string() + ": [agent] state: " + store.error().message);
    store_ = std::move(*store);
    return OkStatus();
  }

  // One account's change is one lookup: with 100,000 accounts a fleet hears
  // thousands of changes an hour. An empty name (the notification channel
  // came back) may hide any change: every account looks.
  static void StoreChanged(const Snapshot& snapshot, const std::string& account) {
    if (!account.empty()) {
      if (auto a = snapshot.Find(account)) a->manager->StoreChanged();
      return;
    }
    for (auto& a : snapshot.accounts) a->manager->StoreChanged();
  }

  Result<std::shared_ptr<AccountRuntime>> Build(const AccountConfig& c) {
    auto runtime = MakeAccountRuntime(c, deps_);
    if (!runtime.ok()) return MakeError(runtime.error().code, config_.file.string() + ": " + runtime.error().message);
    return *runtime;
  }

  void RegisterMetrics() {
    auto each = [this](auto value) {
      return [this, value] {
        std::vector<GaugeSample> out;
        TimePoint now = clock_->Now();
        for (const auto& a : *All()) {
          AccountStatus s = a->manager->Status();
          value(out, s, now);
        }
        return out;
      };
    };
    metrics_.AddGauge("tokenwarden_account_state", "1 for the state each account is in",
                      each([](auto& out, const AccountStatus& s, TimePoint) {
                        for (auto st : {AccountState::kUnauthorized, AccountState::kAuthorizing, AccountState::kActive,
                                        AccountState::kRefreshing, AccountState::kBackoff, AccountState::kNeedsSupport,
                                        AccountState::kFailed}) {
                          out.push_back({{{"account", s.account}, {"state", std::string(AccountStateName(st))}},
                                         s.state == st ? 1.0 : 0.0});
                        }
                      }));
    auto seconds_until = [](std::optional<TimePoint> t, TimePoint now) {
      return std::chrono::duration<double>(*t - now).count();
    };
    metrics_.AddGauge("tokenwarden_seconds_to_refresh", "Simulated seconds until the next planned authorization",
                      each([=](auto& out, const AccountStatus& s, TimePoint now) {
                        if (s.next_attempt) out.push_back({{{"account", s.account}}, seconds_until(s.next_attempt, now)});
                      }));
    metrics_.AddGauge("tokenwarden_seconds_to_expiry", "Seconds until the current session expires",
                      each([=](auto& out, const AccountStatus& s, TimePoint now) {
                        if (s.expires_at) out.push_back({{{"account", s.account}}, seconds_until(s.expires_at, now)});
                      }));
    metrics_.AddGauge("tokenwarden_days_since_last_use", "Days since an application last used the account",
                      each([](auto& out, const AccountStatus& s, TimePoint now) {
                        if (s.last_used) {
                          out.push_back({{{"account", s.account}},
                                         std::chrono::duration<double>(now - *s.last_used).count() / 86400.0});
                        }
                      }));
    metrics_.AddGauge("tokenwarden_session_generation", "Authorizations of the account so far (its generation)",
                      each([](auto& out, const AccountStatus& s, TimePoint) {
                        out.push_back({{{"account", s.account}}, static_cast<double>(s.generation)});
                      }));
    // Kept in each account's runtime: a registered counter series (a map
    // node, its labels and the counter) cost about 140 B an account.
    metrics_.AddCounterFunc("tokenwarden_token_reads_total", "Token reads served by GET /v1/token", [this] {
      std::vector<GaugeSample> out;
      for (const auto& a : *All()) out.push_back({{{"account", a->id}}, static_cast<double>(a->token_reads.value())});
      return out;
    });
    metrics_.AddCounterFunc("tokenwarden_dropin_authorizations_answered_total",
                            "Authorizations the drop-in listener answered from the session (upstream "
                            "authorizations saved)",
                            [this] {
                              std::vector<GaugeSample> out;
                              for (const auto& a : *All()) {
                                out.push_back({{{"account", a->id}},
                                               static_cast<double>(a->dropin_authorizations.value())});
                              }
                              return out;
                            });
    metrics_.AddCounterFunc("tokenwarden_authorizations_total", "Authorizations made by this agent, by result",
                            each([](auto& out, const AccountStatus& s, TimePoint) {
                              out.push_back({{{"account", s.account}, {"result", "ok"}},
                                             static_cast<double>(s.authorizations_ok)});
                              out.push_back({{{"account", s.account}, {"result", "failed"}},
                                             static_cast<double>(s.authorizations_failed)});
                              out.push_back({{{"account", s.account}, {"result", "adopted"}},
                                             static_cast<double>(s.sessions_adopted)});
                            }));
  }

  AgentConfig config_;
  std::shared_ptr<Clock> clock_;
  // Declared before everything that owns timers or sockets on it, so that it
  // is destroyed after them.
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(ioc_);
  std::vector<std::thread> threads_;
  std::shared_ptr<SessionStore> store_;
  AccountDeps deps_;
  MetricsRegistry metrics_;
  // Store changes (fleet notifications) go to the accounts through it.
  LatePublished<Snapshot> snapshot_{&StoreChanged};
  std::unique_ptr<LocalApi> api_;
  std::unique_ptr<http::Server> server_;
  // Declared in this order: each server stops before its handler goes.
  std::vector<std::unique_ptr<DropinApi>> dropin_apis_;
  std::vector<std::unique_ptr<http::Server>> dropin_servers_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<std::unique_ptr<Agent>> Agent::Start(AgentConfig config, std::shared_ptr<Clock> clock) {
  auto agent = std::make_unique<AgentImpl>(std::move(config), std::move(clock));
  Status s = agent->Init();
  if (!s.ok()) {
    agent->Stop(std::chrono::seconds(0));
    return s.error();
  }
  return std::unique_ptr<Agent>(std::move(agent));
}

}  // namespace tokenwarden::agent
