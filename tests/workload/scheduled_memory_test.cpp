// Component memory budgets in workload files: a scheduled run admits operations' memory_bytes
// against their component's budget [workload.memory].
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/test_support.hpp"
#include "neat/workload/scheduled_run.hpp"
#include "neat/workload/workload.hpp"

namespace neat {
namespace {

using ::testing::HasSubstr;

Workload with_budget(const std::string& operations) {
  return parse_workload(R"({"name": "m", "components": [
      {"name": "titans", "importance": 2, "memory_budget_bytes": 1000, "device": "cpu"},
      {"name": "blt"}], "operations": [)" + operations + "]}",
                        "memory.json");
}

class ScheduledMemory : public ::testing::TestWithParam<std::size_t> {};

// Two operations that each need the whole budget never overlap, and both complete.
TEST_P(ScheduledMemory, ABudgetForOneAtATimeSerialisesThem) {
  const Workload w = with_budget(R"(
      {"name": "a", "component": "titans", "memory_bytes": 1000,
       "kernel": {"type": "sleep", "us": 3000}},
      {"name": "b", "component": "titans", "memory_bytes": 1000,
       "kernel": {"type": "sleep", "us": 3000}},
      {"name": "free", "component": "blt", "kernel": {"type": "sleep", "us": 100}})");
  EXPECT_EQ(w.components[0].memory_budget_bytes, 1000u);
  EXPECT_EQ(w.components[0].device, DeviceAffinity::cpu);
  ParallelExecutor executor({.workers = GetParam()});
  const ScheduledRun run = run_scheduled(w, executor);
  ASSERT_EQ(run.count(OpStatus::completed), 3u);
  const auto& a = run.operations[0];
  const auto& b = run.operations[1];
  const double a_start = a.submitted_us + *a.start_latency_us;
  const double b_start = b.submitted_us + *b.start_latency_us;
  EXPECT_TRUE(b_start >= *a.finished_us || a_start >= *b.finished_us)
      << "a " << a_start << ".." << *a.finished_us << ", b " << b_start << ".." << *b.finished_us;
}

INSTANTIATE_TEST_SUITE_P(Workers, ScheduledMemory, test::k_worker_counts, test::worker_name);

TEST(ScheduledMemoryErrors, ARequestOverItsBudgetOrWithoutComponentIsRefusedBeforeRunning) {
  ParallelExecutor executor({.workers = 1});
  EXPECT_THAT(
      [&] {
        (void)run_scheduled(with_budget(R"({"name": "huge", "component": "titans",
            "memory_bytes": 1001, "kernel": {"type": "spin", "us": 1}})"),
                            executor);
      },
      ::testing::ThrowsMessage<Error>(HasSubstr("'huge' needs 1001 bytes but component 'titans' "
                                                "has a memory budget of 1000 bytes")));
  EXPECT_THAT(
      [&] {
        (void)run_scheduled(with_budget(R"({"name": "anon", "memory_bytes": 10,
            "kernel": {"type": "spin", "us": 1}})"),
                            executor);
      },
      ::testing::ThrowsMessage<Error>(HasSubstr("'anon' declares memory_bytes but no component")));
}

TEST(ScheduledMemoryErrors, BadComponentFieldsNameTheirPlace) {
  EXPECT_THAT(
      [] {
        (void)parse_workload(R"({"name": "m", "components": [{"name": "c",
            "memory_budget_bytes": 0}], "operations": []})",
                             "m.json");
      },
      ::testing::ThrowsMessage<WorkloadError>(HasSubstr("/components/0/memory_budget_bytes")));
  EXPECT_THAT(
      [] {
        (void)parse_workload(R"({"name": "m", "components": [{"name": "c",
            "device": "tpu"}], "operations": []})",
                             "m.json");
      },
      ::testing::ThrowsMessage<WorkloadError>(HasSubstr("unknown device 'tpu'")));
}

}  // namespace
}  // namespace neat
