// Nested parallelism through OpContext: parallel_for, spawn, nested graph runs. Waiting inside
// a worker must help, so these finish even with a single worker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "core/test_support.hpp"
#include "neat/common/error.hpp"
#include "neat/core/executor.hpp"

namespace neat {
namespace {

using ::testing::HasSubstr;

class NestedTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
};

TEST_P(NestedTest, ParallelForVisitsEveryIndexOnce) {
  std::vector<std::atomic<int>> hits(10000);
  RunHandle run = executor_.submit({}, [&](OpContext& ctx) {
    ctx.parallel_for(0, hits.size(), [&](std::size_t i) { hits[i].fetch_add(1); });
  });
  test::finish_within(run);
  run.wait();
  for (std::size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i].load(), 1) << i;
}

TEST_P(NestedTest, ParallelForChunksRespectGrain) {
  std::atomic<std::size_t> total{0};
  std::atomic<bool> chunk_too_small{false};
  RunHandle run = executor_.submit({}, [&](OpContext& ctx) {
    ctx.parallel_for_chunks(10, 1010, 100, [&](std::size_t b, std::size_t e) {
      if (e - b > 100 || e <= b) chunk_too_small.store(true);
      total.fetch_add(e - b);
    });
    ctx.parallel_for(5, 5, [&](std::size_t) { total.fetch_add(1000000); });  // empty range
  });
  test::finish_within(run);
  run.wait();
  EXPECT_EQ(total.load(), 1000u);
  EXPECT_FALSE(chunk_too_small.load());
}

TEST_P(NestedTest, ParallelForRethrowsAfterAllChunksFinish) {
  std::atomic<int> finished_chunks{0};
  RunHandle run = executor_.submit({.name = "sweep"}, [&](OpContext& ctx) {
    ctx.parallel_for_chunks(0, 64, 1, [&](std::size_t b, std::size_t) {
      if (b == 13) throw std::runtime_error("chunk 13");
      finished_chunks.fetch_add(1);
    });
  });
  test::finish_within(run);
  try {
    run.wait();
    FAIL() << "expected the chunk's exception";
  } catch (const OperationFailed& e) {
    EXPECT_EQ(e.operation(), "sweep");
    EXPECT_THAT(e.what(), HasSubstr("chunk 13"));
  }
  EXPECT_EQ(finished_chunks.load(), 63);
}

TEST_P(NestedTest, SpawnedChildrenFinishBeforeTheOperationCompletes) {
  OperationDependencyGraph graph;
  std::atomic<int> children{0};
  int seen_by_successor = -1;
  auto parent = graph.emplace([&](OpContext& ctx) {
    for (int i = 0; i < 100; ++i) ctx.spawn([&] { children.fetch_add(1); });
    // no explicit wait: the executor waits for the children
  });
  auto successor = graph.emplace([&] { seen_by_successor = children.load(); });
  parent.precede(successor);
  RunHandle run = executor_.run(graph);
  test::finish_within(run);
  run.wait();
  EXPECT_EQ(seen_by_successor, 100);
}

TEST_P(NestedTest, WaitSpawnedRethrowsChildFailure) {
  RunHandle run = executor_.submit({.name = "parent"}, [&](OpContext& ctx) {
    ctx.spawn([] { throw std::logic_error("child broke"); });
    ctx.spawn([] {});
    ctx.wait_spawned();
  });
  test::finish_within(run);
  EXPECT_THROW(run.wait(), OperationFailed);
  EXPECT_THAT(run.not_run().at(0).reason, HasSubstr("child broke"));
}

TEST_P(NestedTest, ThrowingBodyStillWaitsForItsChildren) {
  std::atomic<int> children{0};
  RunHandle run = executor_.submit({}, [&](OpContext& ctx) {
    for (int i = 0; i < 20; ++i) ctx.spawn([&] { children.fetch_add(1); });
    throw std::runtime_error("parent broke");
  });
  test::finish_within(run);
  EXPECT_THROW(run.wait(), OperationFailed);
  EXPECT_EQ(children.load(), 20);
}

TEST_P(NestedTest, NestedGraphRunHelpsInsteadOfBlocking) {
  std::atomic<int> inner_ran{0};
  RunHandle run = executor_.submit({}, [&](OpContext& ctx) {
    OperationDependencyGraph inner;
    Operation previous;
    for (int i = 0; i < 50; ++i) {
      Operation op = inner.emplace([&] { inner_ran.fetch_add(1); });
      if (i > 0) previous.precede(op);
      previous = op;
    }
    RunHandle nested = ctx.executor().run(inner);
    EXPECT_EQ(nested.wait_for(std::chrono::seconds(30)), WaitStatus::done);
    nested.wait();
  });
  test::finish_within(run);
  run.wait();
  EXPECT_EQ(inner_ran.load(), 50);
}

TEST_P(NestedTest, NestedWaitForCanTimeOutInsideAWorker) {
  if (GetParam() < 2) GTEST_SKIP() << "needs a second worker to run the nested operation";
  std::atomic<bool> started{false};
  RunHandle outer = executor_.submit({}, [&](OpContext& ctx) {
    RunHandle nested = ctx.executor().submit({}, [&] {
      started.store(true);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    });
    while (!started.load()) std::this_thread::yield();  // now running on another worker
    EXPECT_EQ(nested.wait_for(std::chrono::milliseconds(5)), WaitStatus::timeout);
    nested.wait();
    EXPECT_TRUE(nested.done());
  });
  test::finish_within(outer);
  outer.wait();
}

INSTANTIATE_TEST_SUITE_P(Workers, NestedTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
