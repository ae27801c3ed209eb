// run_scheduled() refuses what it cannot run (cycles, names that do not resolve, a call from a
// worker) before anything runs; scheduler_feature() says what needs the scheduler.
#include <gtest/gtest.h>

#include <chrono>

#include "neat/resources/memory_budget.hpp"
#include "neat/workload/scheduled_run.hpp"

namespace neat {
namespace {

OperationSpec spin(const std::string& name, std::vector<std::string> after = {}) {
  return OperationSpec{
      .name = name, .kernel = {.type = KernelType::spin, .us = 10.0}, .after = std::move(after)};
}

std::string error_of(const Workload& w) {
  ParallelExecutor executor({.workers = 1});
  try {
    (void)run_scheduled(w, executor);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ScheduledPlan, ACycleIsRefusedNamingIt) {
  const Workload w = parse_workload(R"({"name": "t", "operations": [
        {"name": "a", "after": ["c"], "kernel": {"type": "spin", "us": 1}},
        {"name": "b", "after": ["a"], "kernel": {"type": "spin", "us": 1}},
        {"name": "c", "after": ["b"], "kernel": {"type": "spin", "us": 1}},
        {"name": "d", "kernel": {"type": "spin", "us": 1}}]})",
                                    "t.json");
  ParallelExecutor executor({.workers = 1});
  try {
    (void)run_scheduled(w, executor);
    ADD_FAILURE() << "no CycleError";
  } catch (const CycleError& e) {
    EXPECT_EQ(e.cycle().size(), 4u) << e.what();  // three names, the first repeated
    EXPECT_EQ(e.cycle().front(), e.cycle().back());
  }
}

TEST(ScheduledPlan, AHandBuiltWorkloadIsChecked) {
  Workload w;
  w.operations = {spin("a", {"b"}), spin("b")};
  w.operations[1].arrive_ms = 5.0;
  EXPECT_EQ(error_of(w),
            "run_scheduled: operation 'a' (0 ms) waits for 'b', which arrives later (5 ms)");
  w.operations = {spin("a", {"nope"})};
  EXPECT_EQ(error_of(w), "run_scheduled: operation 'a' waits for unknown operation 'nope'");
  w.operations = {spin("a")};
  w.operations[0].read_writes = {"x"};
  EXPECT_EQ(error_of(w), "run_scheduled: operation 'a' names unknown data 'x'");
}

TEST(ScheduledPlan, NotFromAWorker) {
  Workload w;
  w.operations = {spin("a")};
  ParallelExecutor executor({.workers = 1});
  std::string message;
  executor
      .submit({.name = "inside"},
              [&] {
                try {
                  (void)run_scheduled(w, executor);
                } catch (const Error& e) {
                  message = e.what();
                }
              })
      .wait();
  EXPECT_EQ(message, "run_scheduled: must not be called from a worker of the executor it runs on");
}

// The scheduler refuses a submission only for what the workload cannot know (here: memory
// admission with no such component); the error propagates and the running pipeline is
// cancelled, not waited for to the end.
TEST(ScheduledPlan, AnErrorDuringTheRunCancelsThePipelines) {
  const Workload w = parse_workload(R"({"name": "t", "components": [{"name": "c"}],
      "operations": [{"name": "big", "component": "c", "memory_bytes": 1048576, "arrive_ms": 10,
                      "kernel": {"type": "spin", "us": 10}}],
      "pipelines": [{"name": "p", "items": 3000, "stages": [
        {"name": "s", "kernel": {"type": "sleep", "us": 1000}}]}]})",
                                    "t.json");
  MemoryBudgetManager memory({.total_bytes = std::uint64_t{1} << 30});
  ParallelExecutor executor({.workers = 2});
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW((void)run_scheduled(w, executor, {.scheduler = {.memory = &memory}}), Error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2000));  // not 3 s
}

TEST(ScheduledPlan, SchedulerFeature) {
  Workload w;
  w.operations = {spin("a"), spin("b")};
  EXPECT_EQ(scheduler_feature(w), std::nullopt);
  w.pipelines = {PipelineSpec{.name = "p"}};
  EXPECT_EQ(scheduler_feature(w), "it has pipelines ('p')");
  w.operations[1].kernel.checkpoint_us = 5.0;
  EXPECT_EQ(scheduler_feature(w), "operation 'b' has checkpoints");
  w.operations[1].deadline_ms = 5.0;
  EXPECT_EQ(scheduler_feature(w), "operation 'b' has a deadline");
  w.operations[0].arrive_ms = 2.5;
  EXPECT_EQ(scheduler_feature(w), "operation 'a' arrives at 2.5 ms");
}

}  // namespace
}  // namespace neat
