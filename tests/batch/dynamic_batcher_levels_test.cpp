// DynamicBatcher: priority levels (a critical request never waits behind a filling batch of
// another level, nor for a slot), the slot limit (requests batch up while every slot is busy),
// and a BatchSizePolicy choosing the size and hearing how every batch went.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <new>
#include <vector>

#include "batch/dynamic_batcher_test_support.hpp"
#include "neat/batch/dynamic_batcher.hpp"
#include "neat/resources/memory_reservation.hpp"
#include "neat/sched/performance_profiler.hpp"

namespace neat {
namespace {

using test::ready_within;
using test::still_waiting;
using test::submit_range;
using ::testing::ElementsAre;

class DynamicBatcherLevelsTest : public test::BatcherFixture {};

TEST_F(DynamicBatcherLevelsTest, ACriticalRequestDoesNotWaitBehindAFillingLowBatch) {
  DynamicBatcher<int, int> batcher(scheduler_, test::by_size_only(8), test::times_ten(log_));
  auto low = submit_range(batcher, 0, 3, {.priority = ExecutionPriority::low});
  std::future<int> urgent = batcher.submit(100, {.priority = ExecutionPriority::critical});
  ASSERT_TRUE(ready_within(urgent));
  EXPECT_EQ(urgent.get(), 1000);
  for (auto& f : low) EXPECT_TRUE(still_waiting(f));
  EXPECT_EQ(batcher.stats().fired_critical, 1u);
  batcher.flush();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(low[i].get(), 10 * i);
  EXPECT_THAT(log_.sizes(), ElementsAre(1, 3));
}

TEST_F(DynamicBatcherLevelsTest, ACriticalRequestTakesNoSlotFromTheLimit) {
  test::BatchGate gate;
  DynamicBatcherOptions options = test::by_size_only(1);
  options.max_in_flight = 1;
  DynamicBatcher<int, int> batcher(scheduler_, options, [&](std::vector<int>& batch) {
    if (batch.front() == 0) gate.pass();
    return batch;
  });
  std::future<int> held = batcher.submit(0, {.priority = ExecutionPriority::low});
  ASSERT_TRUE(gate.wait_for_waiting(1));
  std::future<int> urgent = batcher.submit(5, {.priority = ExecutionPriority::critical});
  ASSERT_TRUE(ready_within(urgent));
  EXPECT_EQ(urgent.get(), 5);
  EXPECT_TRUE(still_waiting(held));
  gate.open();
  EXPECT_EQ(held.get(), 0);
}

TEST_F(DynamicBatcherLevelsTest, WithASlotLimitRequestsBatchUpWhileTheSlotIsBusy) {
  test::BatchGate gate;
  DynamicBatcherOptions options;
  options.max_in_flight = 1;
  options.max_delay = std::chrono::hours(1);
  DynamicBatcher<int, int> batcher(scheduler_, options, [&](std::vector<int>& batch) {
    log_.add(batch);
    if (batch.front() == 0) gate.pass();
    return batch;
  });
  std::future<int> first = batcher.submit(0);  // a free slot: goes at once
  ASSERT_TRUE(gate.wait_for_waiting(1));
  auto rest = submit_range(batcher, 1, 5);
  EXPECT_EQ(batcher.stats().queued, 4u);
  gate.open();
  for (auto& f : rest) ASSERT_TRUE(ready_within(f));
  EXPECT_THAT(log_.sizes(), ElementsAre(1, 4));
  EXPECT_EQ(batcher.stats().fired_free_slot, 2u);
}

TEST_F(DynamicBatcherLevelsTest, ASizePolicySetsTheSizeAndHearsEveryBatch) {
  test::RecordingPolicy policy(3);
  DynamicBatcherOptions options = test::by_size_only(8);
  options.size_policy = &policy;
  DynamicBatcher<int, int> batcher(scheduler_, options, [](std::vector<int>& b) {
    if (b.front() == 3) throw std::bad_alloc();
    return b;
  });
  auto futures = submit_range(batcher, 0, 7);
  batcher.flush();
  batcher.wait_idle();
  EXPECT_EQ(futures[0].get(), 0);
  EXPECT_THROW((void)futures[3].get(), std::bad_alloc);
  const std::vector<BatchOutcome> outcomes = policy.outcomes();
  ASSERT_EQ(outcomes.size(), 3u);
  std::vector<std::size_t> sizes;
  int memory_failures = 0;
  for (const BatchOutcome& o : outcomes) {
    sizes.push_back(o.size);
    memory_failures += o.failed_for_memory ? 1 : 0;
    EXPECT_GE(o.latency, o.run_time);
  }
  std::sort(sizes.begin(), sizes.end());
  EXPECT_THAT(sizes, ElementsAre(1, 3, 3));
  EXPECT_EQ(memory_failures, 1);
}

TEST_F(DynamicBatcherLevelsTest, APolicyThatThrowsDoesNotStallTheBatcher) {
  test::RecordingPolicy policy(2, /*throws=*/true);
  DynamicBatcherOptions options = test::by_size_only(8);
  options.size_policy = &policy;
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  auto futures = submit_range(batcher, 0, 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(futures[i].get(), 10 * i);
  batcher.wait_idle();
  EXPECT_EQ(policy.outcomes().size(), 2u);
}

TEST_F(DynamicBatcherLevelsTest, AMemoryRefusalInsideTheBatchCountsAsAMemoryFailure) {
  test::RecordingPolicy policy(2);
  DynamicBatcherOptions options = test::by_size_only(8);
  options.size_policy = &policy;
  DynamicBatcher<int, int> batcher(scheduler_, options, [](std::vector<int>&) -> std::vector<int> {
    throw MemoryRefused(Refusal{.reason = RefusalReason::over_component_budget,
                                .component = "enc",
                                .message = "component 'enc': over budget"});
  });
  auto futures = submit_range(batcher, 0, 2);
  EXPECT_THROW((void)futures[0].get(), MemoryRefused);
  batcher.wait_idle();
  ASSERT_EQ(policy.outcomes().size(), 1u);
  EXPECT_TRUE(policy.outcomes()[0].failed_for_memory);
}

// With a profile kind, the scheduler's profiler learns the batch's run time by its size.
TEST(DynamicBatcherProfileTest, BatchesAreRecordedUnderTheKindWithTheirSize) {
  PerformanceProfiler profiler({.hardware = "test"});
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  ExecutionScheduler scheduler(executor, SchedulerOptions{.profiler = &profiler});
  {
    DynamicBatcherOptions options = test::by_size_only(3);
    options.profile_kind = "embed";
    DynamicBatcher<int, int> batcher(scheduler, options, [](std::vector<int>& b) { return b; });
    auto futures = submit_range(batcher, 0, 3);
    for (auto& f : futures) (void)f.get();
  }
  scheduler.wait_idle();
  EXPECT_TRUE(profiler.predict_us("embed", {3.0}).has_value());
}

}  // namespace
}  // namespace neat
