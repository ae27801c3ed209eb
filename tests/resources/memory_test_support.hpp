// Helpers shared by the memory budget tests: a sampler whose readings the test sets.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "neat/resources/memory_budget.hpp"

namespace neat::test {

/// A process whose resident set is whatever the test says; counts the samples taken.
class FakeMemory {
 public:
  void set_rss(std::uint64_t bytes) { rss_.store(bytes, std::memory_order_relaxed); }
  [[nodiscard]] std::size_t samples() const { return samples_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::function<MemorySample()> sampler() {
    return [this] {
      samples_.fetch_add(1, std::memory_order_relaxed);
      MemorySample s;
      s.process_rss_bytes = rss_.load(std::memory_order_relaxed);
      return s;
    };
  }

 private:
  std::atomic<std::uint64_t> rss_{0};
  std::atomic<std::size_t> samples_{0};
};

/// `total` bytes, readings from `memory`, sampled only by refresh().
inline MemoryBudgetOptions fake_options(FakeMemory& memory, std::uint64_t total) {
  return {.total_bytes = total,
          .sampler = memory.sampler(),
          .sample_interval = std::chrono::milliseconds(0)};
}

/// Every PressureChange a manager reports, in order (read after the changes, one thread).
struct ChangeLog {
  std::vector<PressureChange> changes;
  ListenerId id = 0;
  explicit ChangeLog(MemoryBudgetManager& manager)
      : id(manager.on_pressure_change([this](const PressureChange& c) { changes.push_back(c); })) {}
};

}  // namespace neat::test
