// run_scheduled(): arrivals, dependencies, deadlines, preemption at checkpoints, inheritance
// and failures, over several worker counts. Timing bounds are generous (shared machine).
#include "neat/workload/scheduled_run.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "workload/scheduled_test_support.hpp"

namespace neat {
namespace {

using test::parse_operations;

ScheduledRun run_on(const Workload& w, std::size_t workers) {
  ParallelExecutor executor({.workers = workers});
  return run_scheduled(w, executor);
}

const ScheduledOperation& op(const ScheduledRun& run, const std::string& name) {
  const auto it = std::find_if(run.operations.begin(), run.operations.end(),
                               [&](const ScheduledOperation& o) { return o.name == name; });
  if (it == run.operations.end()) throw std::runtime_error("no operation " + name);
  return *it;
}

double started_us(const ScheduledOperation& o) {
  return o.submitted_us + *o.start_latency_us;
}

class ScheduledRunWorkers : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ScheduledRunWorkers, EveryOperationCompletesAfterWhatItWaitsFor) {
  const Workload w = parse_operations(R"(
      {"name": "c", "after": ["b"], "kernel": {"type": "sleep", "us": 500}},
      {"name": "a", "writes": ["x"], "kernel": {"type": "sleep", "us": 2000}},
      {"name": "b", "reads": ["x"], "kernel": {"type": "spin", "us": 500}},
      {"name": "d", "priority": "high", "kernel": {"type": "gemm", "m": 16, "n": 16, "k": 16}})");
  const ScheduledRun run = run_on(w, GetParam());
  EXPECT_EQ(run.workers, GetParam());
  ASSERT_EQ(run.operations.size(), 4u);
  EXPECT_EQ(run.operations[0].name, "c");  // workload order
  EXPECT_EQ(run.count(OpStatus::completed), 4u);
  EXPECT_EQ(run.stats.submitted, 4u);
  EXPECT_EQ(run.stats.completed, 4u);
  for (const ScheduledOperation& o : run.operations) {
    ASSERT_TRUE(o.start_latency_us && o.finished_us) << o.name;
    EXPECT_EQ(o.reason, "");
    EXPECT_FALSE(o.preemptible);
    EXPECT_EQ(o.pauses, 0u);
    EXPECT_LE(*o.finished_us, run.makespan_us);
  }
  EXPECT_GE(started_us(op(run, "b")), *op(run, "a").finished_us);  // read after write
  EXPECT_GE(started_us(op(run, "c")), *op(run, "b").finished_us);  // after (a later line)
  EXPECT_EQ(run.first_failure(), "");
  ASSERT_EQ(run.start_latency.size(), 2u);  // high, then medium
  EXPECT_EQ(run.start_latency[0].priority, ExecutionPriority::high);
  EXPECT_EQ(run.start_latency[1].operations, 3u);
  EXPECT_EQ(run.start_latency[1].started, 3u);
  EXPECT_GE(run.start_latency[1].max_us, run.start_latency[1].mean_us);
}

// Preemption: every worker runs a low coroutine when a critical operation arrives; one of
// them parks at a checkpoint and the critical one starts long before the coroutines end.
TEST_P(ScheduledRunWorkers, ACriticalArrivalPreemptsACoroutine) {
  const Workload w = parse_operations(R"(
      {"name": "scan", "repeat": )" + std::to_string(GetParam()) +
                                      R"(, "priority": "low",
       "kernel": {"type": "spin", "us": 400000, "mode": "deadline", "checkpoint_us": 100}},
      {"name": "recall", "priority": "critical", "arrive_ms": 30,
       "kernel": {"type": "spin", "us": 1000}})");
  const ScheduledRun run = run_on(w, GetParam());
  const ScheduledOperation& recall = op(run, "recall");
  EXPECT_EQ(recall.status, OpStatus::completed);
  ASSERT_TRUE(recall.start_latency_us);
  EXPECT_LT(*recall.start_latency_us, 150000.0);  // the scans run until ~400 ms
  EXPECT_GE(run.stats.preemptions, 1u);
  EXPECT_GE(run.stats.parked, 1u);
  std::uint64_t pauses = 0;
  for (const ScheduledOperation& o : run.operations) {
    EXPECT_EQ(o.status, OpStatus::completed) << o.name;
    if (o.name != "recall") {
      EXPECT_TRUE(o.preemptible);
    }
    pauses += o.pauses;
  }
  EXPECT_EQ(pauses, run.stats.parked);
  EXPECT_EQ(run.start_latency.front().priority, ExecutionPriority::critical);
}

TEST_P(ScheduledRunWorkers, PipelinesRunBesideTheOperations) {
  const Workload w =
      parse_operations(R"({"name": "a", "kernel": {"type": "spin", "us": 2000}})", R"(,
      "pipelines": [{"name": "ingest", "items": 20, "stages": [
        {"name": "read", "kernel": {"type": "sleep", "us": 100}},
        {"name": "embed", "kernel": {"type": "gemm", "m": 32, "n": 32, "k": 32}, "parallel": true},
        {"name": "write", "kernel": {"type": "spin", "us": 50}}]}])");
  const ScheduledRun run = run_on(w, GetParam());
  ASSERT_EQ(run.pipelines.size(), 1u);
  const ScheduledPipeline& p = run.pipelines[0];
  EXPECT_EQ(p.name, "ingest");
  EXPECT_EQ(p.component, "");
  EXPECT_EQ(p.status, "completed");
  EXPECT_EQ(p.reason, "");
  EXPECT_EQ(p.items, 20u);
  EXPECT_EQ(p.items_completed, 20u);
  EXPECT_EQ(p.in_flight, 2 * GetParam());  // the default
  EXPECT_GT(p.finished_us, p.started_us);
  EXPECT_LE(p.finished_us, run.makespan_us);
  EXPECT_NEAR(p.items_per_second, 20.0 / ((p.finished_us - p.started_us) * 1e-6), 1e-6);
  EXPECT_EQ(op(run, "a").status, OpStatus::completed);
}

INSTANTIATE_TEST_SUITE_P(Workers, ScheduledRunWorkers, ::testing::Values(1, 2, 4),
                         [](const auto& param_info) { return std::to_string(param_info.param); });

TEST(ScheduledRun, OperationsArriveOnTimeAndOrderTheirDataByArrival) {
  // "late" comes first in the file but arrives after "early": it writes x after it (WAW).
  const Workload w = parse_operations(R"(
      {"name": "late", "arrive_ms": 10, "writes": ["x"], "kernel": {"type": "spin", "us": 100}},
      {"name": "early", "writes": ["x"], "kernel": {"type": "sleep", "us": 40000}})");
  const ScheduledRun run = run_on(w, 2);
  const ScheduledOperation& late = op(run, "late");
  EXPECT_GE(late.submitted_us, 10000.0);
  EXPECT_LT(late.submitted_us, 200000.0);
  EXPECT_LT(op(run, "early").submitted_us, late.submitted_us);
  EXPECT_GE(started_us(late), *op(run, "early").finished_us);
}

TEST(ScheduledRun, AMissedDeadlineIsReportedNotThrown) {
  const Workload w = parse_operations(R"(
      {"name": "busy", "kernel": {"type": "sleep", "us": 60000}},
      {"name": "late", "priority": "low", "deadline_ms": 5, "kernel": {"type": "spin", "us": 10}},
      {"name": "next", "after": ["late"], "kernel": {"type": "spin", "us": 10}})");
  const ScheduledRun run = run_on(w, 1);
  const ScheduledOperation& late = op(run, "late");
  EXPECT_EQ(late.status, OpStatus::timed_out);
  EXPECT_EQ(late.reason, "deadline passed before it started");
  EXPECT_FALSE(late.start_latency_us);
  EXPECT_FALSE(late.finished_us);
  EXPECT_EQ(op(run, "next").status, OpStatus::cancelled);
  EXPECT_EQ(op(run, "next").reason, "dependency 'late' timed out");
  EXPECT_EQ(run.count(OpStatus::timed_out), 1u);
  EXPECT_EQ(run.count(OpStatus::cancelled), 1u);
  EXPECT_EQ(run.stats.timed_out, 1u);
  EXPECT_EQ(run.first_failure(), "");
  EXPECT_EQ(run.start_latency.back().started, 0u);  // low: submitted, never started
  EXPECT_EQ(run.start_latency.back().mean_us, 0.0);
}

TEST(ScheduledRun, ACoroutinePastItsDeadlineStopsAtItsNextCheckpoint) {
  const Workload w = parse_operations(R"({"name": "scan", "deadline_ms": 20,
      "kernel": {"type": "sleep", "us": 3000000, "checkpoint_us": 200}})");
  const ScheduledRun run = run_on(w, 1);
  const ScheduledOperation& scan = op(run, "scan");
  EXPECT_EQ(scan.status, OpStatus::timed_out);
  EXPECT_EQ(scan.reason, "deadline passed while it ran");
  ASSERT_TRUE(scan.finished_us);
  EXPECT_LT(*scan.finished_us, 1500000.0);  // not the whole 3 s
}

TEST(ScheduledRun, AnUrgentDependentRaisesWhatItWaitsFor) {
  const ScheduledRun run = run_on(parse_operations(test::k_inheritance_operations), 1);
  const ScheduledOperation& prefetch = op(run, "prefetch");
  EXPECT_EQ(prefetch.priority, ExecutionPriority::low);
  EXPECT_EQ(prefetch.effective_priority, ExecutionPriority::critical);
  EXPECT_EQ(op(run, "busy").effective_priority, ExecutionPriority::medium);
  EXPECT_GE(run.stats.inherited, 1u);
  EXPECT_EQ(run.count(OpStatus::completed), 3u);
}

TEST(ScheduledRun, FailuresAreReportedWithWhatTheyCancelled) {
  const Workload w = parse_operations(R"(
      {"name": "boom", "kernel": {"type": "fail", "message": "kaput"}},
      {"name": "after_boom", "after": ["boom"], "kernel": {"type": "spin", "us": 10}},
      {"name": "fine", "kernel": {"type": "spin", "us": 10}})",
                                      R"(,
      "pipelines": [{"name": "p", "items": 3, "stages": [
        {"name": "bad", "kernel": {"type": "fail", "message": "torn"}}]}])");
  const ScheduledRun run = run_on(w, 2);
  EXPECT_EQ(op(run, "boom").status, OpStatus::failed);
  EXPECT_EQ(op(run, "boom").reason, "threw: kaput");
  EXPECT_EQ(op(run, "after_boom").status, OpStatus::cancelled);
  EXPECT_EQ(op(run, "after_boom").reason, "dependency 'boom' failed: kaput");
  EXPECT_EQ(op(run, "fine").status, OpStatus::completed);
  EXPECT_EQ(run.first_failure(), "operation 'boom' failed: threw: kaput");
  const ScheduledPipeline& p = run.pipelines[0];
  EXPECT_EQ(p.status, "failed");
  EXPECT_EQ(p.reason, "pipeline 'p': stage 'bad' failed on item 0: torn");
  EXPECT_EQ(p.items_completed, 0u);
  EXPECT_EQ(p.finished_us, p.started_us);
  EXPECT_EQ(p.items_per_second, 0.0);
}

TEST(ScheduledRun, APipelineFailureIsTheFirstFailureWhenNoOperationFailed) {
  const Workload w =
      parse_operations(R"({"name": "fine", "kernel": {"type": "spin", "us": 10}})", R"(,
      "components": [{"name": "enc"}],
      "pipelines": [{"name": "p", "component": "enc", "items": 2, "arrive_ms": 15, "stages": [
        {"name": "bad", "kernel": {"type": "fail", "message": "torn"}}]}])");
  const ScheduledRun run = run_on(w, 1);
  EXPECT_EQ(run.first_failure(), "pipeline 'enc': stage 'p/bad' failed on item 0: torn");
  EXPECT_EQ(run.pipelines[0].component, "enc");
  EXPECT_GE(run.pipelines[0].started_us, 15000.0);
}

}  // namespace
}  // namespace neat
