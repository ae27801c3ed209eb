// Helpers of the BatchOptimizer tests: a decision log, synthetic batch timings and options.
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "neat/batch/batch_optimizer.hpp"
#include "neat/resources/memory_budget.hpp"
#include "neat/trace/observer.hpp"
#include "resources/memory_test_support.hpp"

namespace neat::test {

inline constexpr std::uint64_t k_kib = 1024;

struct LoggedDecision {
  std::string component;
  std::size_t from = 0;
  std::size_t to = 0;
  std::string reason;
};

/// Every on_batch_decision, in arrival order; safe to feed from many threads.
class DecisionLog : public Observer {
 public:
  void on_batch_decision(const BatchDecisionEvent& e) override {
    std::lock_guard<std::mutex> lock(mutex_);
    decisions_.push_back({std::string(e.component), e.from, e.to, std::string(e.reason)});
  }
  std::vector<LoggedDecision> decisions() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return decisions_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<LoggedDecision> decisions_;
};

/// A batch of n items: 100 us fixed, 2 us per item, and a 0.02 us·n² spill past the caches.
/// Throughput n / duration peaks near n = 71.
inline std::chrono::nanoseconds curve(std::size_t n) {
  const auto x = static_cast<double>(n);
  return std::chrono::nanoseconds(std::llround((100.0 + 2.0 * x + 0.02 * x * x) * 1e3));
}

inline double items_per_second(std::size_t n) {
  return static_cast<double>(n) * 1e9 / static_cast<double>(curve(n).count());
}

/// The best throughput of `curve` over min..max with every duration <= limit (exhaustive).
inline std::size_t best_static_size(std::size_t min, std::size_t max,
                                    std::chrono::nanoseconds limit = std::chrono::hours(1)) {
  std::size_t best = min;
  for (std::size_t n = min; n <= max; ++n) {
    if (curve(n) <= limit && items_per_second(n) > items_per_second(best)) best = n;
  }
  return best;
}

/// Options with a fixed hardware key, so results do not depend on the machine.
inline BatchOptimizerOptions optimizer_options(std::string component = "encoder") {
  BatchOptimizerOptions o;
  o.component = std::move(component);
  o.hardware = "test-machine";
  return o;
}

/// `o`, reporting to `observer` and starting at `initial` items (0: min_size).
inline BatchOptimizerOptions observed(BatchOptimizerOptions o, Observer& observer,
                                      std::size_t initial = 0) {
  o.observer = &observer;
  o.initial_size = initial;
  return o;
}

/// A 1 MiB memory manager whose readings the test sets (fake.set_rss, then memory.refresh()),
/// with "encoder" registered: with `budget`, or without one (the whole total).
struct EncoderMemory {
  FakeMemory fake;
  MemoryBudgetManager memory;
  explicit EncoderMemory(std::optional<std::uint64_t> budget = std::nullopt)
      : memory(fake_options(fake, 1024 * k_kib)) {
    memory.register_component({.name = "encoder", .memory_budget_bytes = budget});
  }
};

/// A deterministic steady workload: latency = base + per_item·size, times a fixed jitter pattern
/// of +-`jitter` (a fraction), cycling every 7 batches.
struct SteadyLatency {
  std::chrono::microseconds base{1000};
  std::chrono::microseconds per_item{100};
  double jitter = 0.0;
  std::size_t batch = 0;

  BatchOutcome next(std::size_t size) {
    constexpr double pattern[7] = {0.0, 1.0, -1.0, 0.5, -0.5, 0.25, -0.25};
    const double us = static_cast<double>((base + per_item * static_cast<long>(size)).count()) *
                      (1.0 + jitter * pattern[batch++ % 7]);
    const auto latency = std::chrono::nanoseconds(std::llround(us * 1e3));
    return {.size = size, .latency = latency, .run_time = latency};
  }
};

}  // namespace neat::test
