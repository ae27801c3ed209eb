// Request streams in a scheduler run [workload.streams]: batching happens under a burst and not
// without it, closed-loop clients, priorities and memory reach the scheduler, timeouts, failures,
// refusals, and the errors raised before anything runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <numeric>
#include <regex>
#include <string>

#include "core/test_support.hpp"
#include "neat/resources/memory_budget.hpp"
#include "neat/workload/scheduled_run.hpp"
#include "workload/scheduled_test_support.hpp"

namespace neat {
namespace {

using ::testing::HasSubstr;

const std::string k_components = R"([{"name": "c"}, {"name": "hot", "priority": "critical"},
                                     {"name": "cold", "priority": "low"}])";

Workload with_streams(const std::string& streams, const std::string& components = k_components) {
  return parse_workload(R"({"name": "t", "components": )" + components + R"(,
      "operations": [{"name": "a", "kernel": {"type": "spin", "us": 1}}],
      "request_streams": [)" +
                            streams + "]}",
                        "t.json");
}

ScheduledStream run_one(const Workload& w, std::size_t workers, bool batching = true) {
  ParallelExecutor executor({.workers = workers});
  const ScheduledRun run = run_scheduled(w, executor, {.batching = batching});
  EXPECT_EQ(run.streams.size(), 1u);
  return run.streams.at(0);
}

// 32 requests within microseconds; batches of 8 fire when full, long before the 100 ms delay.
const std::string k_burst = R"({"name": "s", "component": "c", "requests": 32,
    "rate_per_s": 1000000, "kernel": {"type": "spin", "call_us": 300, "item_us": 10},
    "batcher": {"max_batch": 8, "max_delay_us": 100000, "adaptive_delay": false}})";

class ScheduledStreams : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ScheduledStreams, ABurstIsBatched) {
  const ScheduledStream s = run_one(with_streams(k_burst), GetParam());
  EXPECT_EQ(s.name, "s");
  EXPECT_EQ(s.component, "c");
  EXPECT_TRUE(s.batching);
  EXPECT_EQ(s.requests, 32u);
  EXPECT_EQ(s.completed, 32u);
  EXPECT_EQ(s.failed + s.timed_out + s.refused, 0u);
  EXPECT_GT(s.mean_batch_size, 1.0);
  EXPECT_LE(s.batcher.largest_batch, 8u);
  EXPECT_LT(s.batcher.batches, 32u);
  EXPECT_EQ(s.batcher.submitted, 32u);
  EXPECT_GT(s.requests_per_second, 0.0);
  EXPECT_GE(s.finished_us, s.started_us);
  ASSERT_TRUE(s.latency.has_value());
  EXPECT_LE(s.latency->p50_us, s.latency->p95_us);
  EXPECT_LE(s.latency->p95_us, s.latency->p99_us);
  EXPECT_LE(s.latency->p99_us, s.latency->max_us);
  EXPECT_GT(s.latency->mean_us, 0.0);
  EXPECT_EQ(s.memory_peak_bytes, 0u);  // no memory manager
}

TEST_P(ScheduledStreams, WithoutBatchingEveryRequestIsItsOwnOperation) {
  const ScheduledStream s = run_one(with_streams(k_burst), GetParam(), false);
  EXPECT_FALSE(s.batching);
  EXPECT_EQ(s.completed, 32u);
  EXPECT_EQ(s.batcher.batches, 32u);
  EXPECT_EQ(s.batcher.largest_batch, 1u);
  EXPECT_EQ(s.mean_batch_size, 1.0);
}

// Three clients can never have more than three requests in one batch; the first waits 5 ms.
TEST_P(ScheduledStreams, ClosedLoopClientsWaitForTheirResults) {
  const ScheduledStream s = run_one(with_streams(R"({"name": "s", "component": "c",
      "requests": 30, "clients": 3, "arrive_ms": 5,
      "kernel": {"type": "sleep", "call_us": 1000, "item_us": 100},
      "batcher": {"max_batch": 16, "max_in_flight": 1}})"),
                                    GetParam());
  EXPECT_EQ(s.completed, 30u);
  EXPECT_LE(s.batcher.largest_batch, 3u);
  EXPECT_GE(s.batcher.batches, 10u);
  EXPECT_GE(s.started_us, 5000.0);
  ASSERT_TRUE(s.latency.has_value());
  EXPECT_GE(s.latency->max_us, 1000.0);  // at least one batch's sleep
}

// The batches of `stream` that started: each name and effective priority.
class BatchStarts final : public Observer {
 public:
  void on_operation_start(const OperationEvent& e) override {
    std::lock_guard<std::mutex> lock(mutex_);
    starts_.emplace_back(std::string(e.name), e.priority);
  }
  // Sizes of the batches of `stream`, checking the name and that each ran at `priority`.
  std::vector<int> sizes(const std::string& stream, ExecutionPriority priority) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::regex name(stream + R"(#\d+ \((\d+) requests?\))");
    std::vector<int> out;
    for (const auto& [op, level] : starts_) {
      std::smatch m;
      if (op.rfind(stream + "#", 0) != 0) continue;
      EXPECT_TRUE(std::regex_match(op, m, name)) << op;
      EXPECT_EQ(level, priority) << op;
      if (m.size() == 2) out.push_back(std::stoi(m[1].str()));
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, ExecutionPriority>> starts_;
};

// A critical stream's batches run critical (its component's level); a stream on a low
// component with "priority": "high" runs high. Each batch is named "<stream>#<k> (<n> requests)".
TEST_P(ScheduledStreams, BatchesRunAtTheStreamsPriorityAndAreNamedWithTheirSize) {
  const Workload w = with_streams(R"(
      {"name": "hot", "component": "hot", "requests": 12, "rate_per_s": 1000000,
       "kernel": {"type": "spin", "call_us": 100}},
      {"name": "warm", "component": "cold", "priority": "high", "requests": 12,
       "rate_per_s": 1000000, "kernel": {"type": "spin", "call_us": 100},
       "batcher": {"max_batch": 4, "max_delay_us": 100000, "adaptive_delay": false}})");
  BatchStarts starts;
  {
    ParallelExecutor executor({.workers = GetParam(), .observer = &starts});
    const ScheduledRun run = run_scheduled(w, executor);
    ASSERT_EQ(run.streams.size(), 2u);
    EXPECT_EQ(run.streams[0].priority, ExecutionPriority::critical);
    EXPECT_EQ(run.streams[1].priority, ExecutionPriority::high);
    EXPECT_EQ(run.streams[0].completed + run.streams[1].completed, 24u);
  }
  const std::vector<int> hot = starts.sizes("hot", ExecutionPriority::critical);
  const std::vector<int> warm = starts.sizes("warm", ExecutionPriority::high);
  EXPECT_EQ(std::accumulate(hot.begin(), hot.end(), 0), 12);
  EXPECT_EQ(std::accumulate(warm.begin(), warm.end(), 0), 12);
  EXPECT_EQ(warm.size(), 3u);  // full batches of 4
}

// A budget of 1000 bytes and requests of 400: a batch holds two at most (800 bytes), and two
// batches never hold memory at once.
TEST_P(ScheduledStreams, BatchesReserveTheirMemoryWithinTheBudget) {
  const ScheduledStream s =
      run_one(with_streams(R"({"name": "s", "component": "m", "requests": 12, "rate_per_s": 1000000,
          "memory_bytes": 400, "kernel": {"type": "sleep", "call_us": 2000},
          "batcher": {"max_batch": 8, "max_delay_us": 20000, "adaptive_delay": false}})",
                           R"([{"name": "m", "memory_budget_bytes": 1000}])"),
              GetParam());
  EXPECT_EQ(s.completed, 12u);
  EXPECT_LE(s.batcher.largest_batch, 2u);
  EXPECT_GE(s.memory_peak_bytes, 400u);
  EXPECT_LE(s.memory_peak_bytes, 1000u);
}

INSTANTIATE_TEST_SUITE_P(Workers, ScheduledStreams, test::k_worker_counts, test::worker_name);

// Six requests that could only fire after a second: their 10 ms timeout decides.
std::string timing_out(const std::string& policy) {
  return R"({"name": "s", "component": "c", "requests": 6, "rate_per_s": 1000000,
      "timeout_ms": 10, "timeout_policy": ")" +
         policy + R"(",
      "kernel": {"type": "spin", "call_us": 100},
      "batcher": {"max_batch": 8, "max_delay_us": 1000000, "adaptive_delay": false}})";
}

TEST(ScheduledStreamOutcomes, TimedOutRequestsAreRejectedOrRunLate) {
  const ScheduledStream rejected = run_one(with_streams(timing_out("reject")), 2);
  EXPECT_EQ(rejected.timed_out, 6u);
  EXPECT_EQ(rejected.completed, 0u);
  EXPECT_EQ(rejected.batcher.batches, 0u);
  EXPECT_FALSE(rejected.latency.has_value());
  EXPECT_EQ(rejected.finished_us, rejected.started_us);
  EXPECT_EQ(rejected.requests_per_second, 0.0);
  const ScheduledStream late = run_one(with_streams(timing_out("run_anyway")), 2);
  EXPECT_EQ(late.timed_out, 0u);
  EXPECT_EQ(late.completed, 6u);
  EXPECT_GE(late.batcher.fired_late, 1u);
  EXPECT_GE(late.batcher.late, 1u);
}

TEST(ScheduledStreamOutcomes, AFailingKernelFailsItsRequestsAndTheRun) {
  const Workload w = with_streams(R"({"name": "s", "component": "c", "requests": 4,
      "clients": 2, "kernel": {"type": "fail", "message": "boom"}})");
  ParallelExecutor executor({.workers = 2});
  const ScheduledRun run = run_scheduled(w, executor);
  const ScheduledStream& s = run.streams.at(0);
  EXPECT_EQ(s.failed, 4u);
  EXPECT_EQ(s.completed, 0u);
  EXPECT_EQ(s.reason, "boom");
  EXPECT_GE(s.batcher.failed_batches, 1u);
  EXPECT_EQ(run.first_failure(), "request stream 's': 4 of 4 requests failed: boom");
}

// One batch of two runs for 100 ms, two more requests fill the queue: the rest are refused.
TEST(ScheduledStreamOutcomes, AFullQueueRefusesRequests) {
  const Workload w = with_streams(R"({"name": "s", "component": "c", "requests": 10,
      "rate_per_s": 1000000, "kernel": {"type": "sleep", "call_us": 100000},
      "batcher": {"max_batch": 2, "max_in_flight": 1, "queue_capacity": 2}})");
  ParallelExecutor executor({.workers = 2});
  const ScheduledRun run = run_scheduled(w, executor);
  const ScheduledStream& s = run.streams.at(0);
  EXPECT_GE(s.refused, 1u);
  EXPECT_EQ(s.completed + s.refused, 10u);
  EXPECT_THAT(s.reason, HasSubstr("queue full (capacity 2)"));
  EXPECT_EQ(run.first_failure(), "");  // refusals are reported, not failures
}

TEST(ScheduledStreamErrors, ARequestLargerThanItsBudgetIsRefusedBeforeRunning) {
  const Workload w = with_streams(R"({"name": "s", "component": "m", "requests": 1,
      "clients": 1, "memory_bytes": 2000, "kernel": {"type": "spin"}})",
                                  R"([{"name": "m", "memory_budget_bytes": 1000}])");
  ParallelExecutor executor({.workers = 1});
  EXPECT_EQ(test::error_of([&] { (void)run_scheduled(w, executor); }),
            "t.json: a request of stream 's' needs 2000 bytes but component 'm' has a memory "
            "budget of 1000 bytes");
}

TEST(ScheduledStreamErrors, BatcherOptionsTheBatcherRefusesStopTheRunBeforeItStarts) {
  const Workload w = with_streams(R"({"name": "s", "component": "c", "requests": 1,
      "clients": 1, "kernel": {"type": "spin"}})");
  MemoryBudgetManager memory({.total_bytes = 1000});  // knows no component "c"
  ParallelExecutor executor({.workers = 1});
  ScheduledRunOptions options;
  options.scheduler.memory = &memory;
  EXPECT_THAT(test::error_of([&] { (void)run_scheduled(w, executor, options); }),
              HasSubstr("DynamicBatcher 's'"));
}

// An operation the scheduler refuses at 30 ms (memory but no component) ends the run: the
// stream, which would send for 10 s, stops sending, and its queued requests are flushed.
TEST(ScheduledStreamErrors, AnErrorDuringTheRunStopsTheStreams) {
  const Workload w = parse_workload(R"({"name": "t", "components": [{"name": "c"}],
      "operations": [{"name": "late", "arrive_ms": 30, "memory_bytes": 10,
                      "kernel": {"type": "spin", "us": 1}}],
      "request_streams": [{"name": "s", "component": "c", "requests": 1000, "rate_per_s": 100,
                           "kernel": {"type": "spin", "call_us": 10},
                           "batcher": {"max_delay_us": 60000000, "adaptive_delay": false}}]})",
                                    "t.json");
  MemoryBudgetManager memory({.total_bytes = 1000});
  memory.register_component({.name = "c"});
  ParallelExecutor executor({.workers = 2});
  ScheduledRunOptions options;
  options.scheduler.memory = &memory;
  const Clock::time_point start = Clock::now();
  EXPECT_THAT(test::error_of([&] { (void)run_scheduled(w, executor, options); }),
              HasSubstr("declares memory_bytes"));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));  // not the stream's 10 s
}

TEST(ScheduledStreamErrors, StreamsNeedTheScheduler) {
  EXPECT_EQ(scheduler_feature(with_streams(k_burst)), "it has request streams ('s')");
}

}  // namespace
}  // namespace neat
