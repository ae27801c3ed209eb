// ExecutionScheduler with a PerformanceProfiler: predicted costs order equal priorities by
// critical path, completed operations feed their measured time back, bad footprints are
// refused before anything changes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/test_support.hpp"
#include "neat/sched/execution_scheduler.hpp"
#include "neat/sched/performance_profiler.hpp"
#include "sched/scheduler_test_support.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

std::size_t samples_of(const PerformanceProfiler& profiler, std::string_view kind) {
  for (const auto& k : profiler.report().kinds) {
    if (k.kind == kind) return k.samples;
  }
  return 0;
}

TEST(SchedulerProfiling, PredictedCostRanksEqualPriorities) {
  PerformanceProfiler profiler;
  for (double size : {100.0, 200.0, 400.0}) profiler.record("copy", {size}, Microseconds(size));
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  ExecutionScheduler scheduler(executor, SchedulerOptions{.aging_quantum = 0ns,
                                                          .profiler = &profiler});
  test::StartOrder order;
  {
    test::WorkerGate gate(scheduler, 1);
    (void)scheduler.submit({.descriptor = {.name = "hinted", .cost_hint_us = 300}},
                           [&] { order.add("hinted"); });
    // No hint: the profiler predicts ~800 us for {800}, more than the hinted 300 us.
    (void)scheduler.submit({.descriptor = {.name = "profiled"}, .kind = "copy", .footprint = {800}},
                           [&] { order.add("profiled"); });
  }
  scheduler.wait_idle();
  EXPECT_THAT(order.get(), ElementsAre("profiled", "hinted"));
  EXPECT_EQ(samples_of(profiler, "copy"), 4u);  // the run was recorded
}

TEST(SchedulerProfiling, MeasuredTimesAreRecordedForCompletedOperationsOnly) {
  PerformanceProfiler profiler;
  ParallelExecutor executor(ExecutorOptions{.workers = 2});
  ExecutionScheduler scheduler(executor, SchedulerOptions{.profiler = &profiler});
  for (int i = 0; i < 5; ++i) {
    scheduler.submit({.kind = "nap", .footprint = {1}}, [] { std::this_thread::sleep_for(1ms); })
        .get();
  }
  auto failing = scheduler.submit({.kind = "nap", .footprint = {1}}, [] { throw 1; });
  EXPECT_THROW(failing.wait(), OperationFailed);
  (void)scheduler.submit({}, [] {}).get();  // no kind: not profiled
  EXPECT_EQ(samples_of(profiler, "nap"), 5u);
  const auto predicted = profiler.predict_us("nap", {1});
  ASSERT_TRUE(predicted.has_value());
  EXPECT_GE(*predicted, 1000.0);  // at least the 1 ms it slept
}

TEST(SchedulerProfiling, BadFootprintIsRefusedAndChangesNothing) {
  PerformanceProfiler profiler;
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  ExecutionScheduler scheduler(executor, SchedulerOptions{.profiler = &profiler});
  EXPECT_THROW((void)scheduler.submit({.kind = "copy", .footprint = {-4}}, [] {}), Error);
  EXPECT_EQ(scheduler.stats().submitted, 0u);
  scheduler.wait_idle();
}

}  // namespace
}  // namespace neat
