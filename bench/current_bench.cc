// TokenManager::current(), the hot path of every token read, on 2 threads,
// beside the obvious alternatives measured in the same run: a mutex-guarded
// shared_ptr and C++20's std::atomic<std::shared_ptr>. Each does the same
// work per read: get the session, check its expiry against the clock.
// Run: build/bin/current_bench   (prints reads/s and the ratios at the end)
#include <benchmark/benchmark.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "http/client/http_client.h"
#include "providers/novapost_provider.h"
#include "tokenwarden/token_manager.h"

namespace tokenwarden {
namespace {

std::shared_ptr<Clock> clock_ = MakeRealClock();

std::shared_ptr<const Session> MakeSession() {
  auto s = std::make_shared<Session>();
  s->account = "delivery";
  s->provider = "novapost";
  s->generation = 1;
  s->issued_at = clock_->Now();
  s->expires_at = s->issued_at + std::chrono::hours(1);
  s->refresh_at = s->issued_at + std::chrono::minutes(50);
  s->headers.push_back({"Authorization", Secret("eyJhbGciOiJIUzI1NiJ9.e30.bench")});
  return s;
}

// A real TokenManager serving a session restored from a real file store (no
// upstream is contacted: the stored session is valid).
class RealManager {
 public:
  RealManager() {
    dir_ = std::filesystem::temp_directory_path() / ("tw-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    FileStoreOptions fo;
    fo.state_dir = dir_;
    std::shared_ptr<SessionStore> store = std::move(*MakeFileStore(fo));
    AccountRecord record;
    record.session = *MakeSession();
    if (!store->Save("delivery", record, 0).ok()) std::abort();
    providers::NovaPostConfig c;
    c.base_urls = {"http://127.0.0.1:9/v.1.0"};
    c.api_key = Secret("bench");
    auto client = *http::MakeHttpClient();
    std::shared_ptr<Provider> provider = std::move(*providers::MakeNovaPostProvider(c, client, clock_));
    TokenManagerOptions o;
    o.account = "delivery";
    o.provider = provider;
    o.clock = clock_;
    o.store = store;
    manager_ = *TokenManager::Create(o, ioc_.get_executor());
    manager_->Start();
    thread_ = std::thread([this] { ioc_.run(); });
    for (int i = 0; i < 5000 && !manager_->current(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!manager_->current()) std::abort();
  }
  ~RealManager() {
    manager_->Stop();
    work_.reset();
    thread_.join();
    manager_.reset();
    std::filesystem::remove_all(dir_);
  }
  TokenManager& manager() { return *manager_; }

 private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(ioc_);
  std::thread thread_;
  std::filesystem::path dir_;
  std::shared_ptr<TokenManager> manager_;
};

RealManager* real = nullptr;

void BM_TokenManagerCurrent(benchmark::State& state) {
  TokenManager& m = real->manager();
  for (auto _ : state) {
    auto s = m.current();
    if (!s) std::abort();
    benchmark::DoNotOptimize(s.get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenManagerCurrent)->Threads(2)->UseRealTime();

struct MutexCell {
  std::mutex mu;
  std::shared_ptr<const Session> session = MakeSession();
  std::shared_ptr<const Session> Get() {
    std::shared_ptr<const Session> s;
    {
      std::lock_guard lock(mu);
      s = session;
    }
    return s && clock_->Now() < s->expires_at ? s : nullptr;
  }
};
MutexCell mutex_cell;

void BM_MutexSharedPtr(benchmark::State& state) {
  for (auto _ : state) {
    auto s = mutex_cell.Get();
    if (!s) std::abort();
    benchmark::DoNotOptimize(s.get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MutexSharedPtr)->Threads(2)->UseRealTime();

std::atomic<std::shared_ptr<const Session>> atomic_cell{MakeSession()};

void BM_AtomicSharedPtr(benchmark::State& state) {
  for (auto _ : state) {
    auto s = atomic_cell.load(std::memory_order_acquire);
    if (!s || !(clock_->Now() < s->expires_at)) std::abort();
    benchmark::DoNotOptimize(s.get());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AtomicSharedPtr)->Threads(2)->UseRealTime();

// Prints the usual table, then the totals and ratios.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Colors only on a terminal: make bench writes this table into a document.
  RatioReporter() : ConsoleReporter(::isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      // Every repetition, or only the medians when aggregates alone are reported.
      bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type != Run::RT_Iteration && !median) continue;
      auto it = r.counters.find("items_per_second");
      if (it != r.counters.end()) rates_[r.run_name.function_name].push_back(it->second.value);
    }
  }
  void PrintSummary() const {
    auto median = [&](const char* name) {
      auto it = rates_.find(name);
      if (it == rates_.end() || it->second.empty()) return 0.0;
      std::vector<double> v = it->second;
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    double ours = median("BM_TokenManagerCurrent");
    double mutex = median("BM_MutexSharedPtr");
    double atomic = median("BM_AtomicSharedPtr");
    std::printf("\nreads/s in total on 2 threads (median of repetitions):\n");
    std::printf("  TokenManager::current()          %8.1f M/s  (target >= 50 M/s: %s)\n", ours / 1e6,
                ours >= 50e6 ? "met" : "NOT met");
    std::printf("  mutex + shared_ptr               %8.1f M/s  ratio current()/mutex  = %.1f\n", mutex / 1e6,
                mutex > 0 ? ours / mutex : 0.0);
    std::printf("  std::atomic<std::shared_ptr>     %8.1f M/s  ratio current()/atomic = %.1f\n", atomic / 1e6,
                atomic > 0 ? ours / atomic : 0.0);
  }

 private:
  std::map<std::string, std::vector<double>> rates_;
};

}  // namespace
}  // namespace tokenwarden

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  tokenwarden::RealManager manager;
  tokenwarden::real = &manager;
  tokenwarden::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  tokenwarden::real = nullptr;
  return 0;
}
