// ExecutionPipeline: every item through every stage once, serial order, overlap of parallel
// stages, the bound on items in flight, failures, cancellation, nesting, bad input.
#include "neat/sched/execution_pipeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "neat/core/executor.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using test::k_worker_counts;
using test::worker_name;

constexpr auto k_limit = 60s;

/// A source of 0, 1, ..., n-1.
auto counting_source(std::size_t n) {
  return [i = std::size_t{0}, n]() mutable -> std::optional<std::size_t> {
    if (i == n) return std::nullopt;
    return i++;
  };
}

/// A source that never ends (cancellation and failure tests).
auto endless_source() {
  return [i = std::size_t{0}]() mutable -> std::optional<std::size_t> { return i++; };
}

/// Wait with a bound, then return how the run ended (rethrows a failure).
PipelineStatus finish(const PipelineRun& run) {
  if (run.wait_for(k_limit) != WaitStatus::done) {
    ADD_FAILURE() << "pipeline did not finish within the limit";
    run.cancel();
  }
  return run.wait();
}

/// Spin (yielding) until `done()` or the limit; true if done.
template <class Pred>
bool eventually(Pred done, std::chrono::seconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

/// Keep the running maximum of `value` in `max`.
void raise_max(std::atomic<int>& max, int value) {
  int seen = max.load();
  while (value > seen && !max.compare_exchange_weak(seen, value)) {
  }
}

class PipelineTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  std::size_t workers() const { return GetParam(); }
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
};

INSTANTIATE_TEST_SUITE_P(Workers, PipelineTest, k_worker_counts, worker_name);

TEST_P(PipelineTest, EveryItemPassesEveryStageExactlyOnce) {
  constexpr std::size_t n = 300;
  std::vector<std::array<std::atomic<int>, 3>> visits(n);
  ExecutionPipeline<std::size_t> pipeline({.name = "p", .max_in_flight = 5});
  pipeline.source(counting_source(n))
      .stage({.name = "a", .kind = StageKind::serial}, [&](std::size_t& i) { ++visits[i][0]; })
      .stage({.name = "b", .kind = StageKind::parallel}, [&](std::size_t& i) { ++visits[i][1]; })
      .stage({.name = "c", .kind = StageKind::parallel}, [&](std::size_t& i) { ++visits[i][2]; });
  const PipelineRun run = pipeline.run(executor_);
  EXPECT_EQ(finish(run), PipelineStatus::completed);
  EXPECT_EQ(run.items_produced(), n);
  EXPECT_EQ(run.items_completed(), n);
  EXPECT_EQ(run.failure_count(), 0u);
  EXPECT_EQ(run.first_failure(), nullptr);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < 3; ++k) ASSERT_EQ(visits[i][k].load(), 1) << i << " " << k;
  }
}

TEST_P(PipelineTest, SerialStageSeesItemsInOrderOneAtATime) {
  constexpr std::size_t n = 400;
  std::vector<std::size_t> order;  // written by the serial stage only: TSan checks that
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};
  ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 8});
  pipeline.source(counting_source(n))
      .stage({.name = "jitter"},
             [](std::size_t& i) {  // finishes items out of order
               for (std::size_t y = 0; y < i % 5; ++y) std::this_thread::yield();
             })
      .stage({.name = "ordered", .kind = StageKind::serial}, [&](std::size_t& i) {
        raise_max(max_active, ++active);
        order.push_back(i);
        std::this_thread::yield();
        --active;
      });
  EXPECT_EQ(finish(pipeline.run(executor_)), PipelineStatus::completed);
  ASSERT_EQ(order.size(), n);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(order[i], i);
  EXPECT_EQ(max_active.load(), 1);
}

TEST_P(PipelineTest, SinkReceivesItemsInSourceOrder) {
  const std::vector<std::string> input{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  std::vector<std::string> output;
  ExecutionPipeline<std::string> pipeline({.max_in_flight = 4});
  pipeline.source(input.begin(), input.end())
      .stage({.name = "upper"}, [](std::string& s) { s += s; })
      .sink([&](std::string&& s) { output.push_back(std::move(s)); });
  EXPECT_EQ(finish(pipeline.run(executor_)), PipelineStatus::completed);
  ASSERT_EQ(output.size(), input.size());
  for (std::size_t i = 0; i < input.size(); ++i) EXPECT_EQ(output[i], input[i] + input[i]);
}

TEST_P(PipelineTest, ParallelStageOverlapsWhenWorkersAllow) {
  std::atomic<int> active{0};
  std::atomic<int> max_active{0};
  std::atomic<bool> overlap_seen{false};
  const bool can_overlap = workers() >= 2;
  ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 4});
  pipeline.source(counting_source(50))
      .stage({.name = "wide", .kind = StageKind::parallel}, [&](std::size_t&) {
        const int now = ++active;
        raise_max(max_active, now);
        // The first invocations hold on until a second one runs beside them (counters, not
        // timing: the bound only stops a broken pipeline from hanging the test).
        if (can_overlap && !overlap_seen.load()) {
          eventually([&] { return overlap_seen.load() || active.load() >= 2; });
          if (active.load() >= 2) overlap_seen.store(true);
        }
        --active;
      });
  EXPECT_EQ(finish(pipeline.run(executor_)), PipelineStatus::completed);
  if (can_overlap) {
    EXPECT_GE(max_active.load(), 2);
  } else {
    EXPECT_EQ(max_active.load(), 1);
  }
}

TEST_P(PipelineTest, SerialStagesOfDifferentItemsOverlap) {
  // Stage 0 of item 1 runs while stage 1 of item 0 does: the point of a pipeline. The two
  // invocations meet (each waits for the other to have started), which takes two workers.
  std::atomic<bool> store_of_0_running{false};
  std::atomic<bool> load_of_1_running{false};
  std::atomic<bool> met{false};
  const bool can_overlap = workers() >= 2;
  ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 2});
  pipeline.source(counting_source(2))
      .stage({.name = "load", .kind = StageKind::serial},
             [&](std::size_t& i) {
               if (i != 1 || !can_overlap) return;
               load_of_1_running.store(true);
               if (eventually([&] { return store_of_0_running.load(); })) met.store(true);
             })
      .stage({.name = "store", .kind = StageKind::serial}, [&](std::size_t& i) {
        if (i != 0 || !can_overlap) return;
        store_of_0_running.store(true);
        eventually([&] { return load_of_1_running.load(); });
      });
  EXPECT_EQ(finish(pipeline.run(executor_)), PipelineStatus::completed);
  EXPECT_EQ(met.load(), can_overlap);
}

TEST_P(PipelineTest, ItemsInFlightNeverExceedTheBound) {
  constexpr std::size_t bound = 3;
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  ExecutionPipeline<std::size_t> pipeline({.max_in_flight = bound});
  pipeline
      .source([&, next = std::size_t{0}]() mutable -> std::optional<std::size_t> {
        if (next == 200) return std::nullopt;
        raise_max(max_in_flight, ++in_flight);
        return next++;
      })
      .stage({.name = "fast"}, [](std::size_t&) {})
      .stage({.name = "slow", .kind = StageKind::serial},
             [](std::size_t&) { std::this_thread::yield(); })
      .stage({.name = "last"}, [&](std::size_t&) { --in_flight; });
  const PipelineRun run = pipeline.run(executor_);
  EXPECT_EQ(run.max_in_flight(), bound);
  EXPECT_EQ(finish(run), PipelineStatus::completed);
  EXPECT_LE(max_in_flight.load(), static_cast<int>(bound));
  EXPECT_GE(max_in_flight.load(), 1);
  EXPECT_EQ(in_flight.load(), 0);
}

TEST_P(PipelineTest, DefaultBoundIsTwiceTheWorkers) {
  ExecutionPipeline<int> pipeline;
  pipeline.source([]() -> std::optional<int> { return std::nullopt; }).stage({}, [](int&) {});
  const PipelineRun run = pipeline.run(executor_);
  EXPECT_EQ(run.max_in_flight(), 2 * workers());
  EXPECT_EQ(finish(run), PipelineStatus::completed);
}

TEST_P(PipelineTest, StageInvocationsAreOperationsWithTheStagePriorityAndName) {
  std::mutex mutex;
  std::vector<std::string> seen;
  ExecutionPipeline<int> pipeline({.name = "ingest", .max_in_flight = 2});
  pipeline.source(counting_source(3))
      .stage({.name = "urgent", .priority = ExecutionPriority::critical},
             [&](int&, OpContext& ctx) {
               std::lock_guard lock(mutex);
               seen.push_back(ctx.name() + "/" + std::string(ctx.component()) + "/" +
                              std::string(to_string(ctx.priority())));
             });
  EXPECT_EQ(finish(pipeline.run(executor_)), PipelineStatus::completed);
  EXPECT_THAT(seen, ::testing::Each(std::string("urgent/ingest/critical")));
  EXPECT_EQ(seen.size(), 3u);
}

TEST_P(PipelineTest, StagesMayUseNestedParallelism) {
  std::vector<std::atomic<int>> touched(64);
  ExecutionPipeline<int> pipeline({.max_in_flight = 2});
  pipeline.source(counting_source(8)).stage({.name = "wide"}, [&](int& item, OpContext& ctx) {
    ctx.parallel_for(0, 8, [&](std::size_t j) { ++touched[item * 8 + j]; });
  });
  EXPECT_EQ(finish(pipeline.run(executor_)), PipelineStatus::completed);
  for (auto& t : touched) EXPECT_EQ(t.load(), 1);
}

TEST_P(PipelineTest, FailureInSerialStageStopsTheStreamAndNamesTheStage) {
  constexpr std::size_t failing = 7;
  std::vector<std::size_t> entered;  // serial stage: no lock needed
  std::atomic<bool> later_stage_saw_failing{false};
  ExecutionPipeline<std::size_t> pipeline({.name = "ingest", .max_in_flight = 4});
  pipeline.source(endless_source())
      .stage({.name = "decode", .kind = StageKind::serial},
             [&](std::size_t& i) {
               entered.push_back(i);
               if (i == failing) throw std::runtime_error("bad byte");
             })
      .stage({.name = "use"}, [&](std::size_t& i) {
        if (i == failing) later_stage_saw_failing.store(true);
      });
  const PipelineRun run = pipeline.run(executor_);
  ASSERT_EQ(run.wait_for(k_limit), WaitStatus::done);
  try {
    (void)run.wait();
    FAIL() << "wait() did not rethrow the stage's failure";
  } catch (const PipelineStageFailed& e) {
    EXPECT_EQ(e.operation(), "decode");
    EXPECT_EQ(e.component(), "ingest");
    EXPECT_EQ(e.item(), failing);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'decode'"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("item 7"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("bad byte"));
    EXPECT_THROW(e.rethrow_cause(), std::runtime_error);
  }
  ASSERT_FALSE(entered.empty());
  EXPECT_EQ(entered.back(), failing);  // no later item entered the failed stage
  EXPECT_EQ(entered.size(), failing + 1);
  EXPECT_FALSE(later_stage_saw_failing.load());
  EXPECT_EQ(run.failure_count(), 1u);
  EXPECT_NE(run.first_failure(), nullptr);
  EXPECT_LE(run.items_completed(), failing);
}

TEST_P(PipelineTest, FailureInParallelStageStopsTheStream) {
  constexpr std::size_t failing = 5;
  std::atomic<bool> thrown{false};
  std::atomic<int> entered_after_throw{0};
  std::atomic<bool> later_stage_saw_failing{false};
  ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 4});
  pipeline.source(endless_source())
      .stage({.kind = StageKind::parallel},
             [&](std::size_t& i) {
               if (thrown.load()) ++entered_after_throw;
               if (i == failing) {
                 thrown.store(true);
                 throw std::runtime_error("boom");
               }
             })
      .stage({.name = "after"}, [&](std::size_t& i) {
        if (i == failing) later_stage_saw_failing.store(true);
      });
  const PipelineRun run = pipeline.run(executor_);
  ASSERT_EQ(run.wait_for(k_limit), WaitStatus::done);
  try {
    (void)run.wait();
    FAIL() << "wait() did not rethrow the stage's failure";
  } catch (const PipelineStageFailed& e) {
    EXPECT_EQ(e.operation(), "stage 0");  // an unnamed stage is named by its index
    EXPECT_EQ(e.item(), failing);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("pipeline stage 'stage 0' failed on item 5"));
  }
  EXPECT_FALSE(later_stage_saw_failing.load());
  // With one worker, everything after the throw is strictly later: nothing may enter.
  if (workers() == 1) {
    EXPECT_EQ(entered_after_throw.load(), 0);
  }
}

TEST_P(PipelineTest, FailureInSourceIsReportedAsTheSource) {
  std::atomic<int> stage_calls{0};
  ExecutionPipeline<int> pipeline({.name = "reader", .max_in_flight = 2});
  pipeline
      .source([n = 0]() mutable -> std::optional<int> {
        if (n == 3) throw std::runtime_error("disk gone");
        return n++;
      })
      .stage({.name = "s"}, [&](int&) { ++stage_calls; });
  const PipelineRun run = pipeline.run(executor_);
  ASSERT_EQ(run.wait_for(k_limit), WaitStatus::done);
  try {
    (void)run.wait();
    FAIL() << "wait() did not rethrow the source's failure";
  } catch (const PipelineStageFailed& e) {
    EXPECT_EQ(e.operation(), "source");
    EXPECT_EQ(e.item(), 3u);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("disk gone"));
  }
  EXPECT_EQ(run.items_produced(), 3u);
  EXPECT_LE(stage_calls.load(), 3);
}

TEST_P(PipelineTest, StopTokenCancelsAnEndlessStream) {
  std::stop_source stop;
  std::atomic<int> calls{0};
  ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 3});
  pipeline.source(endless_source())
      .stage({.name = "s", .kind = StageKind::serial},
             [&](std::size_t& i) {
               ++calls;
               if (i == 20) stop.request_stop();
             })
      .stage({.name = "t"}, [](std::size_t&) {});
  const PipelineRun run = pipeline.run(executor_, stop.get_token());
  EXPECT_EQ(finish(run), PipelineStatus::cancelled);
  EXPECT_EQ(calls.load(), 21);  // serial: item 21 could only start after 20 asked to stop
  EXPECT_LE(run.items_completed(), 21u);
  EXPECT_EQ(run.failure_count(), 0u);
}

TEST_P(PipelineTest, CancelFromTheCallerStopsTheStream) {
  ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 4});
  pipeline.source(endless_source()).stage({.name = "s"}, [](std::size_t&) {
    std::this_thread::yield();
  });
  const PipelineRun run = pipeline.run(executor_);
  ASSERT_TRUE(eventually([&] { return run.items_completed() >= 10; }));
  run.cancel();
  run.cancel();  // idempotent
  EXPECT_EQ(finish(run), PipelineStatus::cancelled);
  const std::uint64_t completed = run.items_completed();
  EXPECT_EQ(run.items_completed(), completed);  // nothing moves after the run finished
  EXPECT_TRUE(run.done());
}

TEST_P(PipelineTest, StopRequestedBeforeRunStartsNothing) {
  std::stop_source stop;
  stop.request_stop();
  std::atomic<int> source_calls{0};
  ExecutionPipeline<int> pipeline;
  pipeline
      .source([&]() -> std::optional<int> {
        ++source_calls;
        return 1;
      })
      .stage({}, [](int&) {});
  const PipelineRun run = pipeline.run(executor_, stop.get_token());
  EXPECT_EQ(finish(run), PipelineStatus::cancelled);
  EXPECT_EQ(source_calls.load(), 0);
  EXPECT_EQ(run.items_produced(), 0u);
}

TEST_P(PipelineTest, CancelAfterCompletionKeepsTheOutcome) {
  ExecutionPipeline<std::size_t> pipeline;
  pipeline.source(counting_source(5)).stage({}, [](std::size_t&) {});
  const PipelineRun run = pipeline.run(executor_);
  EXPECT_EQ(finish(run), PipelineStatus::completed);
  run.cancel();
  EXPECT_EQ(run.wait(), PipelineStatus::completed);
}

TEST_P(PipelineTest, EmptyStreamCompletesWithoutCallingStages) {
  std::atomic<int> calls{0};
  const std::vector<int> nothing;
  ExecutionPipeline<int> pipeline;
  pipeline.source(nothing.begin(), nothing.end())
      .stage({.kind = StageKind::serial}, [&](int&) { ++calls; })
      .sink([&](int&&) { ++calls; });
  const PipelineRun run = pipeline.run(executor_);
  EXPECT_EQ(finish(run), PipelineStatus::completed);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(run.items_produced(), 0u);
  EXPECT_EQ(run.items_completed(), 0u);
}

TEST_P(PipelineTest, NestedRunInsideAnOperationDoesNotDeadlock) {
  std::atomic<std::size_t> sum{0};
  std::atomic<int> status{-1};
  RunHandle outer = executor_.submit({.name = "outer"}, [&] {
    ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 2});
    pipeline.source(counting_source(100))
        .stage({.name = "a", .kind = StageKind::serial}, [](std::size_t& i) { i *= 2; })
        .stage({.name = "b"}, [&](std::size_t& i) { sum += i; });
    const PipelineRun run = pipeline.run(executor_);
    if (run.wait_for(k_limit) == WaitStatus::done) status = static_cast<int>(run.wait());
  });
  test::finish_within(outer);
  EXPECT_EQ(status.load(), static_cast<int>(PipelineStatus::completed));
  EXPECT_EQ(sum.load(), 2u * (99u * 100u / 2u));
}

TEST_P(PipelineTest, NestedWaitWithoutTimeoutHelps) {
  std::atomic<int> items{0};
  RunHandle outer = executor_.submit({.name = "outer"}, [&] {
    ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 3});
    pipeline.source(counting_source(50)).stage({.name = "s"}, [&](std::size_t&) { ++items; });
    (void)pipeline.run(executor_).wait();
  });
  test::finish_within(outer);
  EXPECT_EQ(items.load(), 50);
}

TEST_P(PipelineTest, NestedWaitForTimesOutWhileAStageIsHeldElsewhere) {
  if (workers() < 2) GTEST_SKIP() << "needs a second worker to hold the stage";
  std::atomic<bool> entered{false};
  std::atomic<bool> release{false};
  std::atomic<int> first_wait{-1};
  std::atomic<int> status{-1};
  RunHandle outer = executor_.submit({.name = "outer"}, [&] {
    ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 2});
    pipeline.source(counting_source(2))
        .stage({.name = "held", .kind = StageKind::serial}, [&](std::size_t& i) {
          if (i != 0) return;
          entered.store(true);
          eventually([&] { return release.load(); });
        });
    const PipelineRun run = pipeline.run(executor_);
    eventually([&] { return entered.load(); });  // another worker holds item 0
    first_wait = static_cast<int>(run.wait_for(1ms));
    release.store(true);
    if (run.wait_for(k_limit) == WaitStatus::done) status = static_cast<int>(run.wait());
  });
  test::finish_within(outer);
  EXPECT_EQ(first_wait.load(), static_cast<int>(WaitStatus::timeout));
  EXPECT_EQ(status.load(), static_cast<int>(PipelineStatus::completed));
}

TEST_P(PipelineTest, WaitForFromOutsideTimesOutWhileAStageIsHeld) {
  std::atomic<bool> release{false};
  ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 1});
  pipeline.source(counting_source(1)).stage({.name = "held"}, [&](std::size_t&) {
    eventually([&] { return release.load(); });
  });
  const PipelineRun run = pipeline.run(executor_);
  EXPECT_EQ(run.wait_for(1ms), WaitStatus::timeout);
  EXPECT_FALSE(run.done());
  release.store(true);
  EXPECT_EQ(finish(run), PipelineStatus::completed);
}

TEST_P(PipelineTest, APipelineRunsAgainAndOutlivesNothing) {
  std::atomic<int> items{0};
  PipelineRun first;
  PipelineRun second;
  {
    ExecutionPipeline<std::size_t> pipeline({.max_in_flight = 2});
    pipeline.source(counting_source(20)).stage({.name = "s"}, [&](std::size_t&) { ++items; });
    first = pipeline.run(executor_);
    second = pipeline.run(executor_);  // concurrently, from the same definition
  }                                    // the definition is gone; the runs hold copies
  EXPECT_EQ(finish(first), PipelineStatus::completed);
  EXPECT_EQ(finish(second), PipelineStatus::completed);
  EXPECT_EQ(items.load(), 40);
}

// ---- Bad input and API misuse ------------------------------------------------------------------

TEST(PipelineErrors, RunWithoutSourceOrStagesIsRefused) {
  ParallelExecutor executor({.workers = 1});
  ExecutionPipeline<int> no_source;
  no_source.stage({}, [](int&) {});
  EXPECT_THROW((void)no_source.run(executor), Error);
  ExecutionPipeline<int> no_stages;
  no_stages.source([]() -> std::optional<int> { return std::nullopt; });
  try {
    (void)no_stages.run(executor);
    FAIL() << "run() accepted a pipeline without stages";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("ExecutionPipeline::run"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("no stages"));
  }
}

TEST(PipelineErrors, EmptyCallablesAreRefusedAndChangeNothing) {
  ExecutionPipeline<int> pipeline;
  pipeline.stage({.name = "ok"}, [](int&) {});
  EXPECT_THROW(pipeline.stage({.name = "x"}, std::function<void(int&)>{}), Error);
  EXPECT_THROW(pipeline.stage({.name = "y"}, std::function<void(int&, OpContext&)>{}), Error);
  EXPECT_EQ(pipeline.stage_count(), 1u);
  EXPECT_THROW(pipeline.source(std::function<std::optional<int>()>{}), Error);
  ParallelExecutor executor({.workers = 1});
  EXPECT_THROW((void)pipeline.run(executor), Error);  // still no source
}

TEST(PipelineErrors, OversizedBoundIsRefused) {
  ParallelExecutor executor({.workers = 1});
  ExecutionPipeline<int> pipeline({.max_in_flight = std::size_t{1} << 30});
  pipeline.source([]() -> std::optional<int> { return std::nullopt; }).stage({}, [](int&) {});
  try {
    (void)pipeline.run(executor);
    FAIL() << "run() accepted an oversized max_in_flight";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("max_in_flight 1073741824"));
  }
}

TEST(PipelineErrors, EmptyHandle) {
  const PipelineRun run;
  EXPECT_FALSE(run.valid());
  EXPECT_FALSE(run.done());
  EXPECT_THROW((void)run.wait(), Error);
  EXPECT_THROW((void)run.wait_for(1ms), Error);
  run.cancel();
  EXPECT_EQ(run.items_produced(), 0u);
  EXPECT_EQ(run.items_completed(), 0u);
  EXPECT_EQ(run.failure_count(), 0u);
  EXPECT_EQ(run.first_failure(), nullptr);
  EXPECT_EQ(run.max_in_flight(), 0u);
}

TEST(PipelineNames, KindsAndStatuses) {
  EXPECT_EQ(to_string(StageKind::serial), "serial");
  EXPECT_EQ(to_string(StageKind::parallel), "parallel");
  EXPECT_EQ(to_string(PipelineStatus::completed), "completed");
  EXPECT_EQ(to_string(PipelineStatus::cancelled), "cancelled");
}

}  // namespace
}  // namespace neat
