// ParallelExecutor: running graphs, exactly-once, order, reruns, single submissions, errors,
// cancellation and statuses, over 1, 2, 4 and 8 workers.
#include "neat/core/executor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "neat/common/error.hpp"
#include "neat/resources/cpu_budget.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class ExecutorTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
};

TEST_P(ExecutorTest, UsesRequestedWorkerCount) {
  EXPECT_EQ(executor_.worker_count(), GetParam());
}

TEST_P(ExecutorTest, RunsEveryOperationExactlyOnce) {
  OperationDependencyGraph graph;
  constexpr int k_ops = 5000;
  std::vector<std::atomic<int>> runs(k_ops);
  for (int i = 0; i < k_ops; ++i) graph.emplace([&runs, i] { runs[i].fetch_add(1); });
  RunHandle run = executor_.run(graph);
  test::finish_within(run);
  run.wait();
  for (int i = 0; i < k_ops; ++i) ASSERT_EQ(runs[i].load(), 1) << "operation " << i;
  EXPECT_EQ(run.size(), static_cast<std::size_t>(k_ops));
  EXPECT_GT(run.makespan().count(), 0);
}

TEST_P(ExecutorTest, ChainRunsInOrder) {
  OperationDependencyGraph graph;
  std::vector<int> order;
  Operation previous;
  for (int i = 0; i < 1000; ++i) {
    Operation op = graph.emplace([&order, i] { order.push_back(i); });
    if (i > 0) previous.precede(op);
    previous = op;
  }
  RunHandle run = executor_.run(graph);
  test::finish_within(run);
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(order[i], i);
}

TEST_P(ExecutorTest, GraphRunsManyTimesWithoutRebuilding) {
  OperationDependencyGraph graph;
  std::atomic<int> count{0};
  auto a = graph.emplace([&] { count.fetch_add(1); });
  auto b = graph.emplace([&] { count.fetch_add(1); });
  auto c = graph.emplace([&] { count.fetch_add(1); });
  a.precede(b, c);
  for (int i = 0; i < 200; ++i) {
    RunHandle run = executor_.run(graph);
    test::finish_within(run);
    ASSERT_EQ(run.status(c.id()), OpStatus::completed);
  }
  EXPECT_EQ(count.load(), 600);
}

TEST_P(ExecutorTest, GraphCanGrowBetweenRuns) {
  OperationDependencyGraph graph;
  std::atomic<int> count{0};
  auto a = graph.emplace([&] { count.fetch_add(1); });
  executor_.run(graph).wait();
  auto b = graph.emplace([&] { count.fetch_add(10); });
  a.precede(b);
  executor_.run(graph).wait();
  EXPECT_EQ(count.load(), 12);
}

TEST_P(ExecutorTest, EmptyGraphCompletesImmediately) {
  OperationDependencyGraph graph;
  RunHandle run = executor_.run(graph);
  test::finish_within(run);
  EXPECT_TRUE(run.done());
  EXPECT_TRUE(run.not_run().empty());
}

TEST_P(ExecutorTest, CycleIsRejectedAndNothingRuns) {
  OperationDependencyGraph graph;
  std::atomic<int> ran{0};
  auto a = graph.add({.name = "a"}, [&] { ran.fetch_add(1); });
  auto b = graph.add({.name = "b"}, [&] { ran.fetch_add(1); });
  graph.add({.name = "free"}, [&] { ran.fetch_add(1); });
  a.precede(b);
  b.precede(a);
  try {
    (void)executor_.run(graph);
    FAIL() << "expected CycleError";
  } catch (const CycleError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a -> b -> a"));
  }
  executor_.wait_for_all();
  EXPECT_EQ(ran.load(), 0);
}

TEST_P(ExecutorTest, RunningGraphCannotBeRunOrChanged) {
  OperationDependencyGraph graph;
  std::atomic<bool> release{false};
  graph.emplace([&] {
    while (!release.load()) std::this_thread::sleep_for(1ms);
  });
  RunHandle run = executor_.run(graph);
  EXPECT_THROW((void)executor_.run(graph), Error);
  EXPECT_THROW(graph.emplace([] {}), Error);
  EXPECT_THROW((void)graph.data("x"), Error);
  release.store(true);
  test::finish_within(run);
  RunHandle again = executor_.run(graph);  // idle again: allowed
  test::finish_within(again);
}

TEST_P(ExecutorTest, SubmitRunsOneOperation) {
  std::atomic<int> value{0};
  RunHandle run =
      executor_.submit({.name = "single", .component = "titans_memory"}, [&](OpContext& ctx) {
        EXPECT_EQ(ctx.name(), "single");
        EXPECT_EQ(ctx.component(), "titans_memory");
        EXPECT_LT(ctx.worker_index(), GetParam());
        value.store(7);
      });
  test::finish_within(run);
  run.wait();
  EXPECT_EQ(value.load(), 7);
  EXPECT_EQ(run.status(OperationId{0}), OpStatus::completed);
}

TEST_P(ExecutorTest, ManySubmissionsFromManyThreads) {
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<RunHandle> runs;
      for (int i = 0; i < 200; ++i)
        runs.push_back(executor_.submit({}, [&] { done.fetch_add(1); }));
      for (const RunHandle& r : runs) r.wait();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(done.load(), 800);
}

TEST_P(ExecutorTest, FirstFailureIsRethrownWithOperationName) {
  OperationDependencyGraph graph;
  auto bad = graph.add({.name = "decode", .component = "blt_encoder"},
                       [] { throw std::runtime_error("bad byte"); });
  std::atomic<bool> dependent_ran{false};
  auto dependent = graph.add({.name = "use"}, [&] { dependent_ran.store(true); });
  auto grandchild = graph.add({.name = "use_more"}, [&] { dependent_ran.store(true); });
  auto independent = graph.add({.name = "other"}, [] {});
  bad.precede(dependent);
  dependent.precede(grandchild);
  RunHandle run = executor_.run(graph);
  test::finish_within(run);
  try {
    run.wait();
    FAIL() << "expected OperationFailed";
  } catch (const OperationFailed& e) {
    EXPECT_EQ(e.operation(), "decode");
    EXPECT_EQ(e.component(), "blt_encoder");
    EXPECT_THAT(e.what(), HasSubstr("decode"));
    EXPECT_THAT(e.what(), HasSubstr("bad byte"));
    EXPECT_THROW(e.rethrow_cause(), std::runtime_error);
    EXPECT_NE(e.cause(), nullptr);
  }
  EXPECT_FALSE(dependent_ran.load());
  EXPECT_EQ(run.status(bad.id()), OpStatus::failed);
  EXPECT_EQ(run.status(dependent.id()), OpStatus::cancelled);
  EXPECT_EQ(run.status(grandchild.id()), OpStatus::cancelled);
  EXPECT_EQ(run.status(independent.id()), OpStatus::completed);
  EXPECT_EQ(run.failure_count(), 1u);
  const auto not_run = run.not_run();
  ASSERT_EQ(not_run.size(), 3u);
  EXPECT_EQ(not_run[0].name, "decode");
  EXPECT_THAT(not_run[0].reason, HasSubstr("bad byte"));
  EXPECT_EQ(not_run[1].name, "use");
  EXPECT_THAT(not_run[1].reason, HasSubstr("dependency 'decode' failed: bad byte"));
  EXPECT_THAT(not_run[2].reason, HasSubstr("dependency 'decode' failed"));
}

TEST_P(ExecutorTest, LaterFailuresAreCounted) {
  OperationDependencyGraph graph;
  for (int i = 0; i < 10; ++i) graph.emplace([] { throw 42; });  // not a std::exception
  RunHandle run = executor_.run(graph);
  test::finish_within(run);
  EXPECT_THROW(run.wait(), OperationFailed);
  EXPECT_EQ(run.failure_count(), 10u);
  EXPECT_EQ(run.not_run().size(), 10u);
  EXPECT_THAT(run.not_run()[0].reason, HasSubstr("not a std::exception"));
  EXPECT_NE(run.first_failure(), nullptr);
}

TEST_P(ExecutorTest, CancelSkipsWhatHasNotStartedAndStopsWhatRuns) {
  OperationDependencyGraph graph;
  std::atomic<bool> started{false};
  std::atomic<bool> saw_stop{false};
  auto blocker = graph.add({.name = "long"}, [&](OpContext& ctx) {
    started.store(true);
    while (!ctx.stop_requested()) std::this_thread::sleep_for(100us);
    saw_stop.store(ctx.stop_token().stop_requested());
  });
  std::atomic<int> later_ran{0};
  for (int i = 0; i < 20; ++i) {
    auto later = graph.emplace([&] { later_ran.fetch_add(1); });
    blocker.precede(later);
  }
  RunHandle run = executor_.run(graph);
  while (!started.load()) std::this_thread::sleep_for(100us);
  EXPECT_EQ(run.status(blocker.id()), OpStatus::running);
  EXPECT_EQ(run.status(OperationId{1}), OpStatus::pending);
  run.cancel();
  test::finish_within(run);
  EXPECT_NO_THROW(run.wait());  // cancellation is an outcome, not an exception
  EXPECT_TRUE(saw_stop.load());
  EXPECT_EQ(later_ran.load(), 0);
  const auto not_run = run.not_run();
  ASSERT_EQ(not_run.size(), 20u);
  for (const NotRunOperation& n : not_run) {
    EXPECT_EQ(n.status, OpStatus::cancelled);
    EXPECT_EQ(n.reason, "run cancelled by caller");
  }
}

TEST_P(ExecutorTest, WaitForTimesOutWhileRunning) {
  std::atomic<bool> release{false};
  RunHandle run = executor_.submit({}, [&] {
    while (!release.load()) std::this_thread::sleep_for(1ms);
  });
  EXPECT_EQ(run.wait_for(20ms), WaitStatus::timeout);
  EXPECT_FALSE(run.done());
  release.store(true);
  EXPECT_EQ(run.wait_for(60s), WaitStatus::done);
}

TEST_P(ExecutorTest, StatusOfUnknownOperationIsAnError) {
  RunHandle run = executor_.submit({}, [] {});
  run.wait();
  EXPECT_THROW((void)run.status(OperationId{5}), Error);
}

TEST_P(ExecutorTest, DestructorWaitsForRunsInFlight) {
  std::atomic<int> done{0};
  {
    ParallelExecutor local(ExecutorOptions{.workers = GetParam()});
    for (int i = 0; i < 50; ++i) {
      (void)local.submit({}, [&] {
        std::this_thread::sleep_for(100us);
        done.fetch_add(1);
      });
    }
  }
  EXPECT_EQ(done.load(), 50);
}

TEST_P(ExecutorTest, CurrentWorkerIsKnownInsideOperations) {
  EXPECT_EQ(executor_.current_worker(), k_not_a_worker);
  std::size_t inside = k_not_a_worker;
  executor_.submit({}, [&] { inside = executor_.current_worker(); }).wait();
  EXPECT_LT(inside, GetParam());
}

TEST_P(ExecutorTest, WaitForAllFromAWorkerIsRefused) {
  RunHandle run = executor_.submit({}, [&] { executor_.wait_for_all(); });
  test::finish_within(run);
  EXPECT_THROW(run.wait(), OperationFailed);
}

TEST_P(ExecutorTest, WorkerStatsCountEveryOperation) {
  OperationDependencyGraph graph;
  Operation previous;
  for (int i = 0; i < 100; ++i) {
    Operation op = graph.emplace([] {});
    if (i >= 50) previous.precede(op);  // half independent, half a chain of continuations
    previous = op;
  }
  executor_.run(graph).wait();
  std::uint64_t executed = 0;
  for (const WorkerStats& s : executor_.worker_stats()) executed += s.executed;
  EXPECT_EQ(executed, 100u);
}

INSTANTIATE_TEST_SUITE_P(Workers, ExecutorTest, test::k_worker_counts, test::worker_name);

TEST(ExecutorDefaults, SizesPoolFromUsableCpus) {
  ParallelExecutor executor;
  EXPECT_EQ(executor.worker_count(), read_cpu_budget().usable);
}

TEST(ExecutorDefaults, RejectsAbsurdWorkerCount) {
  EXPECT_THROW(ParallelExecutor(ExecutorOptions{.workers = 100000}), Error);
}

TEST(RunHandleEmpty, MembersOfAnEmptyHandle) {
  RunHandle handle;
  EXPECT_FALSE(handle.valid());
  EXPECT_FALSE(handle.done());
  EXPECT_THROW(handle.wait(), Error);
  EXPECT_THROW((void)handle.wait_for(1ms), Error);
  EXPECT_THROW((void)handle.status(OperationId{0}), Error);
  EXPECT_THROW((void)handle.not_run(), Error);
  handle.cancel();  // no effect, no crash
  EXPECT_EQ(handle.failure_count(), 0u);
  EXPECT_EQ(handle.first_failure(), nullptr);
  EXPECT_EQ(handle.size(), 0u);
  EXPECT_EQ(handle.makespan().count(), 0);
}

}  // namespace
}  // namespace neat
