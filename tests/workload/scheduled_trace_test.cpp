// A scheduler run seen through the executor's observer: the Chrome trace shows the scheduler's
// operations (run 0) with their effective priority and status.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "neat/trace/chrome_trace.hpp"
#include "neat/workload/scheduled_run.hpp"
#include "workload/scheduled_test_support.hpp"

namespace neat {
namespace {

using nlohmann::json;

// The scheduler operations' events ("X" spans and "i" instants of run 0) named `name`.
std::vector<json> events_of(const json& trace, const std::string& name) {
  std::vector<json> out;
  for (const json& e : trace["traceEvents"]) {
    if (e.value("name", "") == name && e.contains("args") && e["args"].value("run_id", -1) == 0) {
      out.push_back(e);
    }
  }
  return out;
}

json traced_run(const std::string& operations, std::size_t workers = 1) {
  const Workload w = test::parse_operations(operations);
  ChromeTraceWriter trace(workers);
  {
    ParallelExecutor executor({.workers = workers, .observer = &trace});
    (void)run_scheduled(w, executor);
  }
  std::ostringstream out;
  trace.write(out);
  return json::parse(out.str());
}

TEST(ScheduledTrace, ShowsTheEffectivePriorityOfEachOperation) {
  const json trace = traced_run(test::k_inheritance_operations);
  for (const char* name : {"busy", "prefetch", "recall"}) {
    const std::vector<json> events = events_of(trace, name);
    ASSERT_EQ(events.size(), 1u) << name;
    EXPECT_EQ(events[0]["ph"], "X") << name;
    EXPECT_EQ(events[0]["args"]["status"], "completed") << name;
  }
  EXPECT_EQ(events_of(trace, "prefetch")[0]["args"]["priority"], "critical");  // inherited
  EXPECT_EQ(events_of(trace, "busy")[0]["args"]["priority"], "medium");
}

// Disabled: the trace layer keeps one span per operation (its first start to its first end),
// so a preempted coroutine shows only its first segment, ending "paused", and an operation
// that timed out before it started gets no event at all (the scheduler emits none). Enable
// when both are fixed (reported with reproducers).
TEST(ScheduledTrace, ShowsPausedAndResumedSegments) {
  const json trace = traced_run(R"(
      {"name": "scan", "priority": "low",
       "kernel": {"type": "spin", "us": 100000, "mode": "deadline", "checkpoint_us": 100}},
      {"name": "recall", "priority": "critical", "arrive_ms": 20,
       "kernel": {"type": "spin", "us": 1000}},
      {"name": "late", "priority": "low", "arrive_ms": 5, "deadline_ms": 5,
       "kernel": {"type": "spin", "us": 10}})");
  const std::vector<json> scan = events_of(trace, "scan");
  ASSERT_GE(scan.size(), 2u);
  EXPECT_EQ(scan.front()["args"]["status"], "paused");
  EXPECT_EQ(scan.back()["args"]["status"], "completed");
  const std::vector<json> recall = events_of(trace, "recall");
  ASSERT_EQ(recall.size(), 1u);
  // The recall runs between the scan's first and second segments.
  EXPECT_GE(recall[0]["ts"].get<double>(),
            scan[0]["ts"].get<double>() + scan[0]["dur"].get<double>());
  EXPECT_LE(recall[0]["ts"].get<double>(), scan[1]["ts"].get<double>());
  const std::vector<json> late = events_of(trace, "late");
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0]["ph"], "i");
  EXPECT_EQ(late[0]["args"]["status"], "timed_out");
}

}  // namespace
}  // namespace neat
