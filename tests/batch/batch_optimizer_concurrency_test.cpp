// BatchOptimizer from many threads at once: record(), preferred_size(), stats() and tune()
// (run under ThreadSanitizer; ctest's TIMEOUT bounds a hang).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "batch/batch_optimizer_test_support.hpp"
#include "neat/batch/batch_optimizer.hpp"

namespace neat {
namespace {

using std::chrono::microseconds;

class BatchOptimizerConcurrency : public ::testing::TestWithParam<std::size_t> {};

TEST_P(BatchOptimizerConcurrency, RecordsFromManyThreadsAreAllCountedAndReported) {
  constexpr std::size_t k_per_thread = 2000;
  const std::size_t threads = GetParam();
  test::DecisionLog log;
  BatchOptimizerOptions o = test::optimizer_options();
  o.latency_limit = microseconds(10000);
  o.initial_size = 32;
  o.observer = &log;
  o.settle_batches = 4;
  o.confirm_batches = 2;
  BatchOptimizer optimizer(o);

  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load(std::memory_order_acquire)) {
      const std::size_t size = optimizer.preferred_size();
      EXPECT_GE(size, o.min_size);
      EXPECT_LE(size, o.max_size);
      (void)optimizer.stats();
    }
  });
  std::thread tuner([&] {
    (void)optimizer.tune([](std::size_t n) { return test::curve(n); });
    (void)optimizer.tune([](std::size_t n) { return test::curve(n); });  // reused
  });
  std::vector<std::thread> recorders;
  for (std::size_t t = 0; t < threads; ++t) {
    recorders.emplace_back([&, t] {
      test::SteadyLatency model{.base = microseconds(500 + 100 * static_cast<long>(t)),
                                .jitter = 0.2};
      for (std::size_t i = 0; i < k_per_thread; ++i) {
        BatchOutcome out = model.next(optimizer.preferred_size());
        out.failed_for_memory = i % 500 == 499;
        optimizer.record(out);
      }
    });
  }
  for (std::thread& r : recorders) r.join();
  tuner.join();
  done.store(true, std::memory_order_release);
  reader.join();

  const BatchOptimizerStats stats = optimizer.stats();
  EXPECT_EQ(stats.batches, threads * k_per_thread);
  EXPECT_TRUE(stats.tuned);
  // Every change by record() and the one sweep were reported, each with a reason.
  const auto decisions = log.decisions();
  EXPECT_EQ(decisions.size(), stats.changes + 1);
  for (const auto& d : decisions) EXPECT_FALSE(d.reason.empty());
}

INSTANTIATE_TEST_SUITE_P(Threads, BatchOptimizerConcurrency, ::testing::Values(1u, 2u, 4u, 8u));

}  // namespace
}  // namespace neat
