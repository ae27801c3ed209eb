// ExecutionScheduler::submit_graph(): a whole OperationDependencyGraph submitted at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <vector>

#include "core/test_support.hpp"
#include "neat/resources/memory_budget.hpp"
#include "neat/sched/execution_scheduler.hpp"
#include "resources/memory_test_support.hpp"
#include "sched/scheduler_test_support.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;

class SchedulerGraphTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
  ExecutionScheduler scheduler_{executor_};
};

// A diamond with a data edge: every operation starts after its predecessors finished, and the
// descriptors (name, priority) come along. The graph may die before the operations run.
TEST_P(SchedulerGraphTest, RunsEveryOperationAfterItsPredecessors) {
  std::atomic<int> clock{0};
  std::vector<int> at(4, -1);
  std::vector<OpHandle<void>> handles;
  {
    OperationDependencyGraph graph;
    const DataHandle x = graph.data("x");
    auto a = graph.add({.name = "a"}, [&] { at[0] = clock.fetch_add(1); });
    auto b = graph.add({.name = "b", .priority = ExecutionPriority::high},
                       [&] { at[1] = clock.fetch_add(1); });
    auto c = graph.add({.name = "c"}, [&] { at[2] = clock.fetch_add(1); });
    auto d = graph.add({.name = "d"}, [&](OpContext&) { at[3] = clock.fetch_add(1); });
    a.precede(b);
    a.precede(c);
    graph.access(b.id(), x, AccessMode::write);
    graph.access(d.id(), x, AccessMode::read);  // b -> d by data
    c.precede(d);
    handles = scheduler_.submit_graph(graph);
  }
  ASSERT_EQ(handles.size(), 4u);
  for (const OpHandle<void>& h : handles) ASSERT_EQ(h.wait_for(30s), WaitStatus::done);
  EXPECT_LT(at[0], at[1]);
  EXPECT_LT(at[0], at[2]);
  EXPECT_LT(at[1], at[3]);
  EXPECT_LT(at[2], at[3]);
  EXPECT_EQ(handles[1].name(), "b");
  EXPECT_EQ(handles[1].effective_priority(), ExecutionPriority::high);
  EXPECT_EQ(scheduler_.stats().completed, 4u);
}

TEST_P(SchedulerGraphTest, ACycleOrARefusedDescriptorSubmitsNothing) {
  OperationDependencyGraph cyclic;
  auto a = cyclic.add({.name = "a"}, [] {});
  auto b = cyclic.add({.name = "b"}, [] {});
  a.precede(b);
  b.precede(a);
  EXPECT_THROW((void)scheduler_.submit_graph(cyclic), CycleError);

  test::FakeMemory readings;
  MemoryBudgetManager memory(test::fake_options(readings, 1000));
  memory.register_component({.name = "titans", .memory_budget_bytes = 100});
  ExecutionScheduler with_memory(executor_, SchedulerOptions{.memory = &memory});
  OperationDependencyGraph graph;
  auto fits = graph.add({.name = "fits", .component = "titans", .memory_bytes = 50}, [] {});
  auto huge = graph.add({.name = "huge", .component = "titans", .memory_bytes = 500}, [] {});
  fits.precede(huge);
  EXPECT_THROW((void)with_memory.submit_graph(graph), Error);
  EXPECT_EQ(with_memory.stats().submitted, 0u);
  EXPECT_EQ(scheduler_.stats().submitted, 0u);
}

INSTANTIATE_TEST_SUITE_P(Workers, SchedulerGraphTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
