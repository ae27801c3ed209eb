// Cooperative preemption: coroutine operations (neat::Task) park at checkpoints when a more
// urgent operation needs their worker, and resume later from where they stopped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "neat/sched/execution_scheduler.hpp"
#include "neat/sched/task.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class PreemptionTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
};

TEST_P(PreemptionTest, CoroutineOperationsReturnValuesAndErrors) {
  ExecutionScheduler scheduler(executor_);
  auto sum = scheduler.submit({}, [](OpContext& ctx) -> Task<int> {
    int total = 0;
    for (int i = 1; i <= 10; ++i) {
      total += i;
      co_await ctx.checkpoint();
    }
    co_return total;
  });
  auto nothing = scheduler.submit({}, []() -> Task<void> { co_return; });
  auto broken = scheduler.submit({.descriptor = {.name = "broken"}}, [](OpContext& ctx) -> Task<int> {
    co_await ctx.checkpoint();
    throw std::runtime_error("coroutine broke");
  });
  EXPECT_EQ(sum.get(), 55);
  nothing.get();
  try {
    (void)broken.get();
    FAIL();
  } catch (const OperationFailed& e) {
    EXPECT_THAT(e.what(), HasSubstr("coroutine broke"));
  }
}

TEST_P(PreemptionTest, UrgentArrivalParksTheLeastUrgentRunningCoroutine) {
  ExecutionScheduler scheduler(executor_);
  const std::size_t workers = GetParam();
  std::atomic<std::size_t> started{0};
  std::atomic<bool> finish{false};
  std::vector<OpHandle<int>> background;
  for (std::size_t i = 0; i < workers; ++i) {
    background.push_back(scheduler.submit(
        {.descriptor = {.name = "background", .priority = ExecutionPriority::low}},
        [&](OpContext& ctx) -> Task<int> {
          started.fetch_add(1);
          int steps = 0;
          while (!finish.load()) {
            ++steps;
            std::this_thread::sleep_for(50us);
            co_await ctx.checkpoint();
          }
          co_return steps;
        }));
  }
  while (started.load() < workers) std::this_thread::yield();  // every worker is busy
  std::atomic<bool> release_urgent{false};
  std::atomic<bool> urgent_started{false};
  auto urgent = scheduler.submit(
      {.descriptor = {.name = "urgent", .priority = ExecutionPriority::critical}}, [&] {
        urgent_started.store(true);
        while (!release_urgent.load()) std::this_thread::sleep_for(50us);
      });
  const auto limit = Clock::now() + 30s;
  while (!urgent_started.load() && Clock::now() < limit) std::this_thread::sleep_for(50us);
  std::size_t paused = 0;
  for (const OpHandle<int>& b : background) paused += b.status() == OpStatus::paused ? 1 : 0;
  EXPECT_TRUE(urgent_started.load());
  EXPECT_EQ(paused, 1u) << "exactly one background operation gave its worker up";
  release_urgent.store(true);
  finish.store(true);
  urgent.get();
  for (const OpHandle<int>& b : background) EXPECT_GT(b.get(), 0);  // resumed and finished
  const SchedulerStats stats = scheduler.stats();
  EXPECT_GE(stats.preemptions, 1u);
  EXPECT_GE(stats.parked, 1u);
}

TEST_P(PreemptionTest, DebugModeYieldsAtEveryCheckpointWithoutChangingResults) {
  ExecutionScheduler scheduler(executor_, SchedulerOptions{.yield_at_every_checkpoint = true});
  std::vector<OpHandle<int>> ops;
  for (int k = 0; k < 8; ++k) {
    ops.push_back(scheduler.submit({}, [k](OpContext& ctx) -> Task<int> {
      int value = k;
      for (int i = 0; i < 25; ++i) {
        value += i;
        co_await ctx.checkpoint();
      }
      co_return value;
    }));
  }
  for (int k = 0; k < 8; ++k) EXPECT_EQ(ops[k].get(), k + 300);
  EXPECT_EQ(scheduler.stats().parked, 8u * 25u);
}

TEST_P(PreemptionTest, PausedOperationCanBeCancelled) {
  ExecutionScheduler scheduler(executor_, SchedulerOptions{.yield_at_every_checkpoint = true});
  std::atomic<int> steps{0};
  std::atomic<bool> go_on{true};
  auto op = scheduler.submit({.descriptor = {.name = "looping"}}, [&](OpContext& ctx) -> Task<void> {
    while (go_on.load()) {
      steps.fetch_add(1);
      co_await ctx.checkpoint();
    }
  });
  while (steps.load() < 3) std::this_thread::yield();
  op.cancel();
  go_on.store(false);
  EXPECT_EQ(op.wait_for(30s), WaitStatus::done);
  // Cancelled while parked, or it saw the stop and finished: either way it is over.
  EXPECT_TRUE(op.status() == OpStatus::cancelled || op.status() == OpStatus::completed);
}

// Contract 4 across layers: when every worker runs a low scheduler coroutine, a more urgent
// graph run on the same executor (not a scheduler submission) still gets a worker at once: the
// scheduler hears of it and asks a coroutine to yield; the parked coroutine's next dispatch job
// runs at its own level, after the urgent work.
TEST_P(PreemptionTest, UrgentGraphWorkPreemptsLowCoroutines) {
  ExecutionScheduler scheduler(executor_);
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> running{0};
  std::vector<OpHandle<void>> scans;
  for (std::size_t i = 0; i < GetParam(); ++i) {
    scans.push_back(scheduler.submit(
        {.descriptor = {.name = "scan", .priority = ExecutionPriority::low}},
        [&](OpContext& ctx) -> Task<void> {
          running.fetch_add(1);
          while (!stop.load()) co_await ctx.checkpoint();
        }));
  }
  while (running.load() < GetParam()) std::this_thread::yield();
  std::atomic<bool> urgent_ran{false};
  RunHandle urgent = executor_.submit({.name = "urgent", .priority = ExecutionPriority::high},
                                      [&] { urgent_ran.store(true); });
  // The scans never end on their own: without preemption this wait times out.
  EXPECT_EQ(urgent.wait_for(30s), WaitStatus::done);
  EXPECT_TRUE(urgent_ran.load());
  EXPECT_GE(scheduler.stats().preemptions, 1u);
  stop.store(true);
  for (const OpHandle<void>& h : scans) EXPECT_EQ(h.wait_for(30s), WaitStatus::done);
}

TEST(Checkpoint, GraphOperationsNeverYield) {
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  bool asked = true;
  executor.submit({}, [&](OpContext& ctx) {
    asked = ctx.should_yield() || !ctx.checkpoint().await_ready();
  }).wait();
  EXPECT_FALSE(asked);
}

INSTANTIATE_TEST_SUITE_P(Workers, PreemptionTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
