// DynamicBatcher under concurrency: several producer threads, every priority, timeouts, with
// 1, 2, 4 and 8 workers, with and without a slot limit, rejecting or running late requests. Every
// request ends exactly once, with its own result or its timeout, and the counters add up. Runs
// under ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include "batch/dynamic_batcher_test_support.hpp"
#include "neat/batch/dynamic_batcher.hpp"
#include "neat/sched/execution_scheduler.hpp"

namespace neat {
namespace {

using test::ready_within;

struct Request {
  int id = 0;
  bool may_time_out = false;
};

class DynamicBatcherStressTest
    : public ::testing::TestWithParam<std::tuple<std::size_t, std::size_t, TimeoutPolicy>> {};

TEST_P(DynamicBatcherStressTest, EveryRequestEndsOnceWithItsOwnResultOrItsTimeout) {
  const auto [workers, max_in_flight, timeout_policy] = GetParam();
  constexpr int k_producers = 4;
  constexpr int k_per_producer = 300;
  ParallelExecutor executor(ExecutorOptions{.workers = workers});
  ExecutionScheduler scheduler(executor);
  std::atomic<int> executed{0};
  std::atomic<int> largest{0};
  DynamicBatcherOptions options;
  options.max_batch = 16;
  options.preferred_sizes = {4, 8, 16};
  options.max_delay = std::chrono::microseconds(300);
  options.max_in_flight = max_in_flight;
  options.timeout_policy = timeout_policy;
  options.queue_capacity = k_producers * k_per_producer;
  DynamicBatcher<Request, int> batcher(scheduler, options, [&](std::vector<Request>& batch) {
    executed.fetch_add(static_cast<int>(batch.size()));
    int seen = largest.load();
    const int size = static_cast<int>(batch.size());
    while (size > seen && !largest.compare_exchange_weak(seen, size)) {
    }
    std::vector<int> out;
    for (const Request& r : batch) out.push_back(r.id * 3 + 1);
    return out;
  });

  std::vector<std::vector<std::future<int>>> futures(k_producers);
  std::vector<std::thread> producers;
  for (int p = 0; p < k_producers; ++p) {
    producers.emplace_back([&, p] {
      std::mt19937 rng(static_cast<unsigned>(p + 1));
      for (int i = 0; i < k_per_producer; ++i) {
        const int id = p * k_per_producer + i;
        RequestOptions ro;
        ro.priority = static_cast<ExecutionPriority>(rng() % 4);
        const bool timed = rng() % 8 == 0;
        if (timed) ro.timeout = std::chrono::microseconds(50 + rng() % 200);
        futures[p].push_back(batcher.submit({id, timed}, ro));
        if (rng() % 16 == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
    });
  }
  for (std::thread& t : producers) t.join();

  int completed = 0;
  int timed_out = 0;
  for (int p = 0; p < k_producers; ++p) {
    for (int i = 0; i < k_per_producer; ++i) {
      std::future<int>& f = futures[p][i];
      ASSERT_TRUE(ready_within(f)) << "request " << p << "/" << i << " never ended";
      try {
        EXPECT_EQ(f.get(), (p * k_per_producer + i) * 3 + 1);
        ++completed;
      } catch (const RequestTimedOut&) {
        ++timed_out;
      }
    }
  }
  batcher.wait_idle();
  const DynamicBatcherStats stats = batcher.stats();
  EXPECT_EQ(completed + timed_out, k_producers * k_per_producer);
  EXPECT_EQ(executed.load(), completed);
  EXPECT_EQ(stats.submitted, static_cast<std::uint64_t>(k_producers * k_per_producer));
  EXPECT_EQ(stats.timed_out, static_cast<std::uint64_t>(timed_out));
  if (timeout_policy == TimeoutPolicy::run_anyway) {
    EXPECT_EQ(timed_out, 0);
  }
  EXPECT_EQ(stats.fired_full + stats.fired_delay + stats.fired_sparse + stats.fired_free_slot +
                stats.fired_late + stats.fired_critical + stats.fired_flush,
            stats.batches);
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(stats.in_flight, 0u);
  EXPECT_LE(largest.load(), 16);
  EXPECT_EQ(stats.failed_batches, 0u);
}

INSTANTIATE_TEST_SUITE_P(WorkersAndSlots, DynamicBatcherStressTest,
                         ::testing::Combine(::testing::Values(1, 2, 4, 8), ::testing::Values(0, 2),
                                            ::testing::Values(TimeoutPolicy::reject,
                                                              TimeoutPolicy::run_anyway)));

}  // namespace
}  // namespace neat
