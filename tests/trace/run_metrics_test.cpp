#include "neat/trace/run_metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "neat/common/error.hpp"
#include "synthetic_events.hpp"

namespace neat {
namespace {

using test::at_us;
using test::feed;
using test::feed_run;
using test::feed_steal;

// One run of 100 us on 2 workers (times in us):
//   op0 a   enc   w0  ready 0   start 10  end 40   wait 10 run 30
//   op1 b   enc   w1  ready 0   start 20  end 50   wait 20 run 30
//   op2 c   dec   w0  ready 40  start 40  end 100  wait 0  run 60
//   op3 d   dec   w1  cancelled at 100 (never started)
//   op4 e   (none) w1 ready 50  start 60  end 70   wait 10 run 10  failed
//   op5 f   enc   w1  ready 70  start 75  end 95   wait 5  run 20  timed out
// w0 busy 90, w1 busy 60; w1 stole twice from w0; w0 slept 0..10, w1 slept 50..55 and 95..100.
void feed_reference_run(Observer& o) {
  feed_run(o, 1, 0.0, 100.0, 6, 2);
  feed(o, {.operation = 0,
           .name = "a",
           .component = "enc",
           .worker = 0,
           .ready_us = 0,
           .start_us = 10,
           .end_us = 40,
           .priority = ExecutionPriority::high});
  feed(o, {.operation = 1,
           .name = "b",
           .component = "enc",
           .worker = 1,
           .ready_us = 0,
           .start_us = 20,
           .end_us = 50});
  feed(o, {.operation = 2,
           .name = "c",
           .component = "dec",
           .worker = 0,
           .ready_us = 40,
           .start_us = 40,
           .end_us = 100});
  feed(o, {.operation = 3,
           .name = "d",
           .component = "dec",
           .worker = 1,
           .end_us = 100,
           .status = OpStatus::cancelled});
  feed(o, {.operation = 4,
           .name = "e",
           .worker = 1,
           .ready_us = 50,
           .start_us = 60,
           .end_us = 70,
           .status = OpStatus::failed});
  feed(o, {.operation = 5,
           .name = "f",
           .component = "enc",
           .worker = 1,
           .ready_us = 70,
           .start_us = 75,
           .end_us = 95,
           .status = OpStatus::timed_out});
  feed_steal(o, 1, 0, 19.0);
  feed_steal(o, 1, 0, 59.0);
  o.on_worker_sleep(0, at_us(0));
  o.on_worker_wake(0, at_us(10));
  o.on_worker_sleep(1, at_us(50));
  o.on_worker_wake(1, at_us(55));
  o.on_worker_sleep(1, at_us(95));
  o.on_worker_wake(1, at_us(100));
}

TEST(MetricsCollector, ReferenceRunTotals) {
  MetricsCollector collector(2);
  feed_reference_run(collector);
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.runs, 1U);
  EXPECT_EQ(m.workers, 2U);
  EXPECT_DOUBLE_EQ(m.makespan_us, 100.0);
  EXPECT_DOUBLE_EQ(m.busy_us, 150.0);
  EXPECT_DOUBLE_EQ(m.utilization, 0.75);
  EXPECT_EQ(m.executed, 5U);
  EXPECT_EQ(m.completed, 3U);
  EXPECT_EQ(m.failed, 1U);
  EXPECT_EQ(m.cancelled, 1U);
  EXPECT_EQ(m.timed_out, 1U);
  EXPECT_EQ(m.unfinished, 0U);
  EXPECT_EQ(m.steals, 2U);
  EXPECT_EQ(m.sleeps, 3U);
  EXPECT_FALSE(m.lower_bound_us.has_value());
  EXPECT_FALSE(m.efficiency.has_value());
}

TEST(MetricsCollector, ReferenceRunPerWorker) {
  MetricsCollector collector(2);
  feed_reference_run(collector);
  const RunMetrics m = collector.metrics();
  ASSERT_EQ(m.per_worker.size(), 2U);
  const WorkerMetrics& w0 = m.per_worker[0];
  EXPECT_EQ(w0.worker, 0U);
  EXPECT_DOUBLE_EQ(w0.busy_us, 90.0);
  EXPECT_DOUBLE_EQ(w0.utilization, 0.9);
  EXPECT_DOUBLE_EQ(w0.idle_us, 10.0);
  EXPECT_EQ(w0.operations, 2U);
  EXPECT_EQ(w0.steals, 0U);
  EXPECT_EQ(w0.sleeps, 1U);
  const WorkerMetrics& w1 = m.per_worker[1];
  EXPECT_EQ(w1.worker, 1U);
  EXPECT_DOUBLE_EQ(w1.busy_us, 60.0);
  EXPECT_DOUBLE_EQ(w1.utilization, 0.6);
  EXPECT_DOUBLE_EQ(w1.idle_us, 10.0);
  EXPECT_EQ(w1.operations, 3U);
  EXPECT_EQ(w1.steals, 2U);
  EXPECT_EQ(w1.sleeps, 2U);
}

TEST(MetricsCollector, ReferenceRunWaitAndRunSummaries) {
  MetricsCollector collector(2);
  feed_reference_run(collector);
  const RunMetrics m = collector.metrics();
  // waits sorted: 0 5 10 10 20 -> mean 9, p50 = rank 3 = 10, p95 = rank 5 = 20
  EXPECT_EQ(m.wait.count, 5U);
  EXPECT_DOUBLE_EQ(m.wait.mean_us, 9.0);
  EXPECT_DOUBLE_EQ(m.wait.p50_us, 10.0);
  EXPECT_DOUBLE_EQ(m.wait.p95_us, 20.0);
  EXPECT_DOUBLE_EQ(m.wait.max_us, 20.0);
  // runs sorted: 10 20 30 30 60 -> mean 30, p50 = 30, p95 = 60
  EXPECT_EQ(m.run.count, 5U);
  EXPECT_DOUBLE_EQ(m.run.mean_us, 30.0);
  EXPECT_DOUBLE_EQ(m.run.p50_us, 30.0);
  EXPECT_DOUBLE_EQ(m.run.p95_us, 60.0);
  EXPECT_DOUBLE_EQ(m.run.max_us, 60.0);
}

TEST(MetricsCollector, ReferenceRunPerComponent) {
  MetricsCollector collector(2);
  feed_reference_run(collector);
  const RunMetrics m = collector.metrics();
  ASSERT_EQ(m.per_component.size(), 3U);
  const ComponentMetrics& none = m.per_component[0];  // sorted: "", "dec", "enc"
  EXPECT_EQ(none.component, "");
  EXPECT_EQ(none.operations, 1U);
  EXPECT_DOUBLE_EQ(none.total_run_us, 10.0);
  EXPECT_DOUBLE_EQ(none.total_wait_us, 10.0);
  EXPECT_DOUBLE_EQ(none.mean_wait_us, 10.0);
  const ComponentMetrics& dec = m.per_component[1];
  EXPECT_EQ(dec.component, "dec");
  EXPECT_EQ(dec.operations, 1U);
  EXPECT_EQ(dec.cancelled, 1U);
  EXPECT_DOUBLE_EQ(dec.total_run_us, 60.0);
  EXPECT_DOUBLE_EQ(dec.mean_run_us, 60.0);
  EXPECT_DOUBLE_EQ(dec.total_wait_us, 0.0);
  EXPECT_DOUBLE_EQ(dec.mean_wait_us, 0.0);
  const ComponentMetrics& enc = m.per_component[2];
  EXPECT_EQ(enc.component, "enc");
  EXPECT_EQ(enc.operations, 3U);
  EXPECT_EQ(enc.cancelled, 0U);
  EXPECT_DOUBLE_EQ(enc.total_run_us, 80.0);
  EXPECT_DOUBLE_EQ(enc.mean_run_us, 80.0 / 3.0);
  EXPECT_DOUBLE_EQ(enc.total_wait_us, 35.0);
  EXPECT_DOUBLE_EQ(enc.mean_wait_us, 35.0 / 3.0);
}

TEST(MetricsCollector, ReferenceRunPerOperation) {
  MetricsCollector collector(2);
  feed_reference_run(collector);
  const RunMetrics m = collector.metrics();
  ASSERT_EQ(m.operations.size(), 6U);
  for (std::uint32_t i = 0; i < 6; ++i) EXPECT_EQ(m.operations[i].operation, i);
  const OperationMetrics& a = m.operations[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.component, "enc");
  EXPECT_EQ(a.priority, ExecutionPriority::high);
  EXPECT_EQ(a.status, OpStatus::completed);
  EXPECT_EQ(a.worker, 0U);
  EXPECT_EQ(a.wait_us, 10.0);
  EXPECT_EQ(a.run_us, 30.0);
  const OperationMetrics& d = m.operations[3];
  EXPECT_EQ(d.status, OpStatus::cancelled);
  EXPECT_EQ(d.worker, 1U);
  EXPECT_FALSE(d.wait_us.has_value());
  EXPECT_FALSE(d.run_us.has_value());
}

TEST(MetricsCollector, StartWithoutReadyHasNoWait) {
  MetricsCollector collector(1);
  feed(collector, {.name = "x", .worker = 0, .start_us = 0, .end_us = 4});
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.wait.count, 0U);
  EXPECT_EQ(m.run.count, 1U);
  ASSERT_EQ(m.per_component.size(), 1U);
  EXPECT_DOUBLE_EQ(m.per_component[0].mean_wait_us, 0.0);
  EXPECT_FALSE(m.operations[0].wait_us.has_value());
}

TEST(MetricsCollector, PercentilesAreNearestRank) {
  MetricsCollector collector(1);
  // 20 operations with run times 20, 19, ..., 1 us (fed out of order).
  for (std::uint32_t i = 0; i < 20; ++i) {
    const double start = i * 100.0;
    feed(collector, {.operation = i,
                     .worker = 0,
                     .ready_us = start,
                     .start_us = start,
                     .end_us = start + (20 - i)});
  }
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.run.count, 20U);
  EXPECT_DOUBLE_EQ(m.run.mean_us, 10.5);
  EXPECT_DOUBLE_EQ(m.run.p50_us, 10.0);  // rank 10 of 20
  EXPECT_DOUBLE_EQ(m.run.p95_us, 19.0);  // rank 19 of 20
  EXPECT_DOUBLE_EQ(m.run.max_us, 20.0);
  EXPECT_DOUBLE_EQ(m.wait.max_us, 0.0);
}

TEST(MetricsCollector, SingleValuePercentiles) {
  MetricsCollector collector(1);
  feed(collector, {.worker = 0, .ready_us = 1, .start_us = 3, .end_us = 10});
  const RunMetrics m = collector.metrics();
  EXPECT_DOUBLE_EQ(m.run.p50_us, 7.0);
  EXPECT_DOUBLE_EQ(m.run.p95_us, 7.0);
  EXPECT_DOUBLE_EQ(m.wait.p50_us, 2.0);
}

TEST(MetricsCollector, EmptyCollectorIsAllZero) {
  MetricsCollector collector(3);
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.runs, 0U);
  EXPECT_EQ(m.workers, 3U);
  EXPECT_DOUBLE_EQ(m.makespan_us, 0.0);
  EXPECT_DOUBLE_EQ(m.utilization, 0.0);
  EXPECT_EQ(m.per_worker.size(), 3U);
  EXPECT_DOUBLE_EQ(m.per_worker[2].utilization, 0.0);
  EXPECT_EQ(m.wait.count, 0U);
  EXPECT_DOUBLE_EQ(m.wait.p95_us, 0.0);
  EXPECT_TRUE(m.per_component.empty());
  EXPECT_TRUE(m.operations.empty());
  EXPECT_EQ(collector.workers(), 3U);
}

TEST(MetricsCollector, MakespanSpansEveryRun) {
  MetricsCollector collector(1);
  feed_run(collector, 2, 50.0, 80.0);
  feed_run(collector, 1, 10.0, 30.0);
  feed(collector, {.run_id = 1, .worker = 0, .start_us = 10, .end_us = 30});
  feed(collector, {.run_id = 2, .worker = 0, .start_us = 50, .end_us = 60});
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.runs, 2U);
  EXPECT_DOUBLE_EQ(m.makespan_us, 70.0);  // 10 -> 80, the gap included
  EXPECT_DOUBLE_EQ(m.per_worker[0].busy_us, 30.0);
  EXPECT_DOUBLE_EQ(m.utilization, 30.0 / 70.0);
  ASSERT_EQ(m.operations.size(), 2U);
  EXPECT_EQ(m.operations[0].run_id, 1U);  // sorted by run, then index
  EXPECT_EQ(m.operations[1].run_id, 2U);
}

TEST(MetricsCollector, WithoutRunEventsMakespanSpansAllEvents) {
  MetricsCollector collector(1);
  feed(collector, {.worker = 0, .ready_us = 5, .start_us = 10, .end_us = 25});
  EXPECT_DOUBLE_EQ(collector.metrics().makespan_us, 20.0);
}

TEST(MetricsCollector, RunWithoutEndFallsBackToAllEvents) {
  MetricsCollector collector(1);
  feed_run(collector, 1, 0.0, std::nullopt);
  feed(collector, {.worker = 0, .start_us = 5, .end_us = 40});
  EXPECT_DOUBLE_EQ(collector.metrics().makespan_us, 40.0);
}

TEST(MetricsCollector, UnfinishedAndNonTerminalOperations) {
  MetricsCollector collector(1);
  feed(collector, {.operation = 0, .worker = 0, .ready_us = 0});                 // pending
  feed(collector, {.operation = 1, .worker = 0, .ready_us = 0, .start_us = 1});  // running
  // An end event with a status that is not terminal: counted as executed, in no status.
  feed(collector,
       {.operation = 2, .worker = 0, .start_us = 1, .end_us = 2, .status = OpStatus::paused});
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.unfinished, 2U);
  EXPECT_EQ(m.executed, 1U);
  EXPECT_EQ(m.completed + m.failed + m.cancelled + m.timed_out, 0U);
  ASSERT_EQ(m.operations.size(), 1U);
  EXPECT_EQ(m.operations[0].operation, 2U);
}

TEST(MetricsCollector, CallerRowIsSeparateFromPoolTotals) {
  MetricsCollector collector(2);
  feed_run(collector, 1, 0.0, 10.0);
  feed(collector, {.operation = 0, .worker = 0, .start_us = 0, .end_us = 10});
  feed(collector, {.operation = 1, .worker = k_not_a_worker, .start_us = 0, .end_us = 5});
  const RunMetrics m = collector.metrics();
  ASSERT_EQ(m.per_worker.size(), 3U);
  const WorkerMetrics& caller = m.per_worker.back();
  EXPECT_EQ(caller.worker, k_not_a_worker);
  EXPECT_DOUBLE_EQ(caller.busy_us, 5.0);
  EXPECT_DOUBLE_EQ(caller.utilization, 0.5);
  EXPECT_EQ(caller.operations, 1U);
  EXPECT_DOUBLE_EQ(m.busy_us, 10.0);
  EXPECT_DOUBLE_EQ(m.utilization, 0.5);  // 10 / (10 * 2 workers)
  EXPECT_EQ(m.executed, 2U);
}

TEST(MetricsCollector, CallerRowWithZeroMakespan) {
  MetricsCollector collector(1);
  feed_steal(collector, k_not_a_worker, 0, 3.0);
  const RunMetrics m = collector.metrics();
  ASSERT_EQ(m.per_worker.size(), 2U);
  EXPECT_EQ(m.per_worker[1].steals, 1U);
  EXPECT_DOUBLE_EQ(m.per_worker[1].utilization, 0.0);
  EXPECT_EQ(m.steals, 1U);
}

TEST(MetricsCollector, WorkersBeyondTheConstructionCountGetRows) {
  MetricsCollector collector(1);
  feed(collector, {.worker = 3, .start_us = 0, .end_us = 8});
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.workers, 4U);
  ASSERT_EQ(m.per_worker.size(), 4U);
  EXPECT_DOUBLE_EQ(m.per_worker[3].busy_us, 8.0);
  EXPECT_DOUBLE_EQ(m.utilization, 8.0 / 32.0);
}

TEST(MetricsCollector, ClearForgetsEveryRun) {
  MetricsCollector collector(2);
  feed_reference_run(collector);
  collector.clear();
  feed(collector, {.name = "again", .worker = 1, .start_us = 0, .end_us = 2});
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.runs, 0U);
  EXPECT_EQ(m.executed, 1U);
  ASSERT_EQ(m.operations.size(), 1U);
  EXPECT_EQ(m.operations[0].name, "again");
}

TEST(LowerBound, IsMaxOfCriticalPathAndWorkPerWorker) {
  EXPECT_DOUBLE_EQ(lower_bound_us(400.0, 50.0, 4), 100.0);
  EXPECT_DOUBLE_EQ(lower_bound_us(400.0, 150.0, 4), 150.0);
  EXPECT_DOUBLE_EQ(lower_bound_us(0.0, 0.0, 1), 0.0);
}

TEST(LowerBound, RejectsBadInput) {
  EXPECT_THAT([] { (void)lower_bound_us(1.0, 1.0, 0); },
              ::testing::ThrowsMessage<Error>(::testing::HasSubstr("workers")));
  EXPECT_THAT([] { (void)lower_bound_us(-1.0, 1.0, 2); },
              ::testing::ThrowsMessage<Error>(::testing::HasSubstr("total_work_us")));
  EXPECT_THAT([] { (void)lower_bound_us(1.0, std::nan(""), 2); },
              ::testing::ThrowsMessage<Error>(::testing::HasSubstr("critical_path_us")));
  EXPECT_THROW((void)lower_bound_us(std::numeric_limits<double>::infinity(), 1.0, 2), Error);
}

TEST(MetricsCollector, EfficiencyFromWorkBounds) {
  MetricsCollector collector(2);
  feed_reference_run(collector);  // makespan 100 us on 2 workers
  const RunMetrics m = collector.metrics({.total_work_us = 160.0, .critical_path_us = 70.0});
  EXPECT_EQ(m.total_work_us, 160.0);
  EXPECT_EQ(m.critical_path_us, 70.0);
  EXPECT_EQ(m.lower_bound_us, 80.0);  // max(70, 160 / 2)
  ASSERT_TRUE(m.efficiency.has_value());
  EXPECT_DOUBLE_EQ(*m.efficiency, 0.8);
}

TEST(MetricsCollector, EfficiencyUnsetWhenMakespanIsZero) {
  RunMetrics m;
  m.workers = 2;
  m.efficiency = 0.5;  // stale value from an earlier call must go
  set_work_bounds(m, {.total_work_us = 10.0, .critical_path_us = 8.0});
  EXPECT_EQ(m.lower_bound_us, 8.0);
  EXPECT_FALSE(m.efficiency.has_value());
}

TEST(MetricsCollector, BadWorkBoundsChangeNothing) {
  RunMetrics m;
  m.workers = 0;
  EXPECT_THROW(set_work_bounds(m, {.total_work_us = 1.0, .critical_path_us = 1.0}), Error);
  EXPECT_FALSE(m.total_work_us.has_value());
  EXPECT_FALSE(m.lower_bound_us.has_value());
}

class MetricsConcurrency : public ::testing::TestWithParam<std::size_t> {};

TEST_P(MetricsConcurrency, NoEventIsLost) {
  const std::size_t workers = GetParam();
  constexpr std::uint32_t k_per_worker = 3000;
  MetricsCollector collector(workers);
  test::run_with_timeout([&] {
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        for (std::uint32_t i = 0; i < k_per_worker; ++i) {
          const auto index = static_cast<std::uint32_t>(w * k_per_worker + i);
          const double t = i * 4.0;
          feed(collector, {.operation = index,
                           .name = "op",
                           .component = "c",
                           .worker = w,
                           .ready_us = t,
                           .start_us = t + 1,
                           .end_us = t + 3});
          if (i % 10 == 0) {
            collector.on_worker_sleep(w, at_us(t + 3));
            collector.on_worker_wake(w, at_us(t + 4));
          }
        }
      });
    }
    go.store(true, std::memory_order_release);
    for (std::thread& t : threads) t.join();
  });
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.executed, workers * k_per_worker);
  EXPECT_EQ(m.completed, workers * k_per_worker);
  EXPECT_EQ(m.wait.count, workers * k_per_worker);
  EXPECT_DOUBLE_EQ(m.wait.max_us, 1.0);
  EXPECT_DOUBLE_EQ(m.run.mean_us, 2.0);
  ASSERT_EQ(m.per_worker.size(), workers);
  for (const WorkerMetrics& w : m.per_worker) {
    EXPECT_EQ(w.operations, k_per_worker) << "worker " << w.worker;
    EXPECT_DOUBLE_EQ(w.busy_us, 2.0 * k_per_worker);
    EXPECT_EQ(w.sleeps, k_per_worker / 10);
  }
}

TEST_P(MetricsConcurrency, ReadsWhileWorkersRecord) {
  // metrics() while workers still record sees a consistent prefix: never more work than was
  // fed, every operation it counts whole, and after the join the exact totals.
  const std::size_t workers = GetParam();
  constexpr std::uint32_t k_per_worker = 3000;
  MetricsCollector collector(workers);
  test::run_with_timeout([&] {
    std::atomic<std::size_t> running{workers};
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        for (std::uint32_t i = 0; i < k_per_worker; ++i) {
          const auto index = static_cast<std::uint32_t>(w * k_per_worker + i);
          feed(collector,
               {.operation = index, .worker = w, .start_us = i * 2.0, .end_us = i * 2.0 + 1});
        }
        running.fetch_sub(1, std::memory_order_release);
      });
    }
    while (running.load(std::memory_order_acquire) > 0) {
      const RunMetrics partial = collector.metrics();
      EXPECT_LE(partial.executed, workers * k_per_worker);
      EXPECT_DOUBLE_EQ(partial.busy_us, static_cast<double>(partial.executed));
    }
    for (std::thread& t : threads) t.join();
  });
  const RunMetrics m = collector.metrics();
  EXPECT_EQ(m.executed, workers * k_per_worker);
  EXPECT_EQ(m.unfinished, 0U);
}

INSTANTIATE_TEST_SUITE_P(Workers, MetricsConcurrency, ::testing::Values(1, 2, 4, 8));

}  // namespace
}  // namespace neat
