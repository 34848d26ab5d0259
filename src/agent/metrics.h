// Prometheus text exposition for the agent's /metrics.
//
// Counters are registered once (name + labels) and then incremented through
// a stable reference, so the hot path is one relaxed atomic add. Gauges are
// read at render time from a callback, so they never go stale.
#ifndef TOKENWARDEN_AGENT_METRICS_H_
#define TOKENWARDEN_AGENT_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace tokenwarden::agent {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// The counters of one family that one object (an account) increments, by a
// small integer key (an HTTP status). The registry's lookup (the family
// name, the label strings, its map and its mutex) is paid once per key;
// afterwards an increment is a lock-free scan of a short list and an atomic
// add. (A lock per read, striped, was a line that two server threads moved
// between them on every proxied request.) Empty, it is one pointer:
// accounts exist by the hundred thousand.
//
// Thread-safety: Get may be called from any thread.
class CounterCache {
 public:
  CounterCache() = default;
  CounterCache(const CounterCache&) = delete;
  CounterCache& operator=(const CounterCache&) = delete;
  ~CounterCache();

  // The counter for `key`, made by `make` the first time (called without
  // any lock held; it must return the same counter for the same key).
  template <class Make>
  Counter& Get(int key, Make make) {
    if (Counter* c = Find(key)) return *c;
    return Add(key, make());
  }

 private:
  // The list is never changed once published: Add publishes a longer copy,
  // which keeps the one it replaced (a reader may still scan it) until the
  // cache ends. Keys are few (the statuses an account sees), so the chain
  // is short.
  struct Entries {
    std::vector<std::pair<int, Counter*>> items;
    std::unique_ptr<const Entries> replaced;
  };
  Counter* Find(int key) const;
  Counter& Add(int key, Counter& counter);

  std::atomic<const Entries*> entries_{nullptr};  // owned; written under StripedMutex(this)
};

// One gauge sample: labels and value.
struct GaugeSample {
  Labels labels;
  double value = 0;
};

// Thread-safety: all methods may be called from any thread. References
// returned by GetCounter stay valid for the registry's lifetime.
class MetricsRegistry {
 public:
  // Finds or creates the counter `name{labels}`. Names must start with
  // "tokenwarden_" and end in "_total". REQUIRES: the same `help` for a name.
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});

  // A gauge family whose samples `read` produces at render time.
  void AddGauge(const std::string& name, const std::string& help,
                std::function<std::vector<GaugeSample>()> read);

  // A counter family whose values another component keeps (read at render
  // time). Names end in "_total".
  void AddCounterFunc(const std::string& name, const std::string& help,
                      std::function<std::vector<GaugeSample>()> read);

  // The text format: owned counters, then read families, each sorted by name.
  std::string Render() const;

 private:
  struct CounterFamily {
    std::string help;
    std::map<Labels, std::unique_ptr<Counter>> series;
  };
  struct GaugeFamily {
    std::string help;
    std::string type;  // "gauge" or "counter"
    std::function<std::vector<GaugeSample>()> read;
  };

  mutable std::mutex mu_;
  std::map<std::string, CounterFamily> counters_;
  std::map<std::string, GaugeFamily> gauges_;
};

// `name{a="x",b="y"}` with Prometheus escaping of label values.
std::string FormatSeries(const std::string& name, const Labels& labels);

}  // namespace tokenwarden::agent

#endif  // TOKENWARDEN_AGENT_METRICS_H_
