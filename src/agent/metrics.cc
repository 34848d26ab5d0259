#include "agent/metrics.h"

#include <cmath>
#include <cstdio>

#include "util/striped_mutex.h"

namespace tokenwarden::agent {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  }
  return buf;
}

void Header(std::string& out, const std::string& name, const std::string& help,
            std::string_view type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + std::string(type) + "\n";
}

}  // namespace

std::string FormatSeries(const std::string& name, const Labels& labels) {
  if (labels.empty()) return name;
  std::string out = name + "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    out += labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
  }
  return out + "}";
}

CounterCache::~CounterCache() { delete entries_.load(std::memory_order_acquire); }

Counter* CounterCache::Find(int key) const {
  const Entries* entries = entries_.load(std::memory_order_acquire);
  if (!entries) return nullptr;
  for (const auto& [k, counter] : entries->items) {
    if (k == key) return counter;
  }
  return nullptr;
}

Counter& CounterCache::Add(int key, Counter& counter) {
  std::lock_guard<std::mutex> lock(StripedMutex(this));
  if (Counter* known = Find(key)) return *known;  // another thread added it meanwhile
  const Entries* old = entries_.load(std::memory_order_relaxed);
  auto longer = std::make_unique<Entries>();
  if (old) longer->items = old->items;
  longer->items.emplace_back(key, &counter);
  longer->replaced.reset(old);
  entries_.store(longer.release(), std::memory_order_release);
  return counter;
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const Labels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  CounterFamily& family = counters_[name];
  if (family.help.empty()) family.help = help;
  auto& slot = family.series[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

void MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                               std::function<std::vector<GaugeSample>()> read) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_[name] = GaugeFamily{help, "gauge", std::move(read)};
}

void MetricsRegistry::AddCounterFunc(const std::string& name, const std::string& help,
                                     std::function<std::vector<GaugeSample>()> read) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_[name] = GaugeFamily{help, "counter", std::move(read)};
}

std::string MetricsRegistry::Render() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, family] : counters_) {
    Header(out, name, family.help, "counter");
    for (const auto& [labels, counter] : family.series) {
      out += FormatSeries(name, labels) + " " + std::to_string(counter->value()) + "\n";
    }
  }
  for (const auto& [name, family] : gauges_) {
    Header(out, name, family.help, family.type);
    for (const auto& sample : family.read()) {
      out += FormatSeries(name, sample.labels) + " " + FormatValue(sample.value) + "\n";
    }
  }
  return out;
}

}  // namespace tokenwarden::agent
