// PerformanceProfiler under concurrent record() and predict_us() from executor workers.
#include <gtest/gtest.h>

#include <atomic>

#include "core/test_support.hpp"
#include "neat/core/executor.hpp"
#include "neat/core/graph.hpp"
#include "neat/sched/performance_profiler.hpp"
#include "sched/profiler_test_support.hpp"

namespace neat {
namespace {

class ProfilerConcurrency : public ::testing::TestWithParam<std::size_t> {};

constexpr std::size_t k_operations = 64;
constexpr std::size_t k_samples_per_operation = 200;
constexpr std::size_t k_kinds = 5;  // several share a shard, several do not
constexpr double k_sizes = 7;

std::string kind_name(std::size_t op) {
  return "kind" + std::to_string(op % k_kinds);
}

// Every sample of footprint {n} of kind k takes (k + 1) · n µs, so each median is exact
// whatever the interleaving.
double truth(std::size_t kind, double n) {
  return static_cast<double>(kind + 1) * n;
}

TEST_P(ProfilerConcurrency, NoSampleIsLost) {
  PerformanceProfiler profiler(test::profiler_options());
  ParallelExecutor executor({.workers = GetParam()});
  OperationDependencyGraph graph;
  std::atomic<std::size_t> predictions{0};
  for (std::size_t op = 0; op < k_operations; ++op) {
    graph.emplace([&, op] {
      const std::string kind = kind_name(op);
      for (std::size_t i = 0; i < k_samples_per_operation; ++i) {
        const double n = 1 + static_cast<double>((op + i) % static_cast<std::size_t>(k_sizes));
        if (i % 8 == 0) {
          ProfileScope scope(profiler, "scoped", {n});
        } else {
          profiler.record(kind, {n}, Microseconds(truth(op % k_kinds, n)));
        }
        if (profiler.predict_us(kind, {n + k_sizes}).has_value()) {
          predictions.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  const RunHandle run = executor.run(graph);
  test::finish_within(run);

  const ProfilerReport report = profiler.report();
  ASSERT_EQ(report.kinds.size(), k_kinds + 1);
  std::size_t total = 0;
  for (const KindReport& k : report.kinds) {
    total += k.samples;
    EXPECT_EQ(k.footprints, static_cast<std::size_t>(k_sizes)) << k.kind;
  }
  EXPECT_EQ(total, k_operations * k_samples_per_operation);
  EXPECT_EQ(report.kinds.back().kind, "scoped");
  EXPECT_EQ(report.kinds.back().samples, k_operations * k_samples_per_operation / 8);
  for (std::size_t k = 0; k < k_kinds; ++k) {
    for (double n = 1; n <= k_sizes; ++n) {
      EXPECT_DOUBLE_EQ(*profiler.predict_us("kind" + std::to_string(k), {n}), truth(k, n));
    }
  }
  EXPECT_GT(predictions.load(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Workers, ProfilerConcurrency, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
