// The internal recorder behind every trace observer: string interning and buffer merging.
#include "trace/event_log.hpp"

#include <gtest/gtest.h>

#include "neat/trace/run_metrics.hpp"

#include <string>
#include <thread>
#include <vector>

#include "synthetic_events.hpp"

namespace neat::detail {
namespace {

using test::at_us;

TEST(StringTable, InternsEachTextOnce) {
  StringTable table;
  EXPECT_EQ(table.intern(""), nullptr);
  EXPECT_EQ(view(nullptr), "");
  const std::string* a = table.intern("alpha");
  const std::string long_text(100, 'x');
  const std::string* b = table.intern(long_text);
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a, b);
  EXPECT_EQ(table.intern(std::string("alpha")), a);
  EXPECT_EQ(table.intern(long_text), b);
  // Many short strings: growth must neither move stored strings nor break the index.
  for (int i = 0; i < 1000; ++i) (void)table.intern("s" + std::to_string(i));
  EXPECT_EQ(table.intern("s7"), table.intern(std::string("s") + "7"));
  EXPECT_EQ(view(a), "alpha");
  EXPECT_EQ(*b, long_text);
  EXPECT_EQ(table.size(), 1002U);
}

TEST(PublishedLog, KeepsOrderAcrossChunksAndDiscards) {
  PublishedLog<int> log;
  const int total = static_cast<int>(PublishedLog<int>::k_first_capacity * 7 + 5);
  for (int i = 0; i < total; ++i) log.push_back(i);
  EXPECT_EQ(log.size(), static_cast<std::size_t>(total));
  int expected = 0;
  log.for_each([&](int v) { EXPECT_EQ(v, expected++); });
  EXPECT_EQ(expected, total);
  log.discard();
  EXPECT_EQ(log.size(), 0U);
  log.for_each([](int) { ADD_FAILURE() << "discarded item visited"; });
  log.push_back(-1);
  std::vector<int> seen;
  log.for_each([&](int v) { seen.push_back(v); });
  EXPECT_EQ(seen, std::vector<int>{-1});
}

TEST(PublishedLog, DiscardAtAChunkBoundaryKeepsTheWritersChunk) {
  PublishedLog<int> log;
  for (std::size_t i = 0; i < PublishedLog<int>::k_first_capacity; ++i) log.push_back(1);
  log.discard();  // the full first chunk is still the writer's: it must survive
  log.push_back(2);
  log.push_back(3);
  std::vector<int> seen;
  log.for_each([&](int v) { seen.push_back(v); });
  EXPECT_EQ(seen, (std::vector<int>{2, 3}));
}

TEST(PublishedLog, ReaderRunsWhileTheWriterAppends) {
  PublishedLog<std::uint64_t> log;
  constexpr std::uint64_t k_items = 200000;
  test::run_with_timeout([&] {
    std::thread writer([&] {
      for (std::uint64_t i = 0; i < k_items; ++i) log.push_back(i);
    });
    std::size_t last_seen = 0;
    while (last_seen < k_items) {
      std::uint64_t expected = 0;
      log.for_each([&](std::uint64_t v) { ASSERT_EQ(v, expected++); });
      EXPECT_GE(expected, last_seen);  // a prefix that only grows
      last_seen = expected;
    }
    writer.join();
  });
  EXPECT_EQ(log.size(), k_items);
}

TEST(EventLog, MergesOneOperationAcrossBuffers) {
  EventLog log(2);
  OperationEvent event{.run_id = 4,
                       .operation = 9,
                       .name = "n",
                       .component = "c",
                       .priority = ExecutionPriority::critical,
                       .status = OpStatus::ready,
                       .worker = 1,
                       .time = at_us(5)};
  event.worker = 0;
  event.time = at_us(3);
  log.record_operation(EventKind::ready, event);  // raised by worker 0 (merged first) at 3
  event.worker = k_not_a_worker;
  event.time = at_us(5);
  log.record_operation(EventKind::ready, event);  // and later by the caller: earliest wins
  event.worker = 0;
  event.time = at_us(6);
  log.record_operation(EventKind::start, event);
  event.time = at_us(8);
  event.status = OpStatus::completed;
  log.record_operation(EventKind::end, event);
  const Timeline t = log.timeline();
  ASSERT_EQ(t.operations.size(), 1U);
  const OperationTimeline& op = t.operations[0];
  EXPECT_EQ(op.run_id, 4U);
  EXPECT_EQ(op.operation, 9U);
  EXPECT_EQ(op.name, "n");
  EXPECT_EQ(op.component, "c");
  EXPECT_EQ(op.priority, ExecutionPriority::critical);
  EXPECT_EQ(op.status, OpStatus::completed);
  EXPECT_EQ(op.worker, 0U);
  EXPECT_EQ(op.ready, at_us(3));
  EXPECT_EQ(op.start, at_us(6));
  EXPECT_EQ(op.end, at_us(8));
  EXPECT_EQ(t.first, at_us(3));
  EXPECT_EQ(t.last, at_us(8));
  EXPECT_EQ(t.worker_rows, 2U);
}

TEST(EventLog, EndRecordedElsewhereKeepsTheStartWorker) {
  EventLog log(2);
  OperationEvent event{.run_id = 1,
                       .operation = 0,
                       .name = "x",
                       .component = {},
                       .priority = {},
                       .status = OpStatus::running,
                       .worker = 0,
                       .time = at_us(1)};
  log.record_operation(EventKind::start, event);  // worker 0's buffer is merged first
  event.worker = 1;
  event.time = at_us(2);
  event.status = OpStatus::completed;
  log.record_operation(EventKind::end, event);
  const Timeline t = log.timeline();
  ASSERT_EQ(t.operations.size(), 1U);
  EXPECT_EQ(t.operations[0].worker, 0U);
  EXPECT_EQ(t.operations[0].status, OpStatus::completed);
}

TEST(EventLog, ResumedOperationKeepsItsFirstStart) {
  EventLog log(2);
  OperationEvent event{.run_id = 1,
                       .operation = 0,
                       .name = "r",
                       .component = {},
                       .priority = {},
                       .status = OpStatus::running,
                       .worker = 1,
                       .time = at_us(7)};
  log.record_operation(EventKind::start, event);  // resumed on worker 1 at 7
  event.worker = 0;
  event.time = at_us(2);
  log.record_operation(EventKind::start, event);  // first started on worker 0 at 2
  event.time = at_us(9);
  log.record_operation(EventKind::start, event);  // a later start changes nothing
  const Timeline t = log.timeline();
  ASSERT_EQ(t.operations.size(), 1U);
  EXPECT_EQ(t.operations[0].start, at_us(2));
  EXPECT_EQ(t.operations[0].worker, 0U);
  EXPECT_FALSE(t.operations[0].end.has_value());
}

// A coroutine operation that paused once: two segments, on the workers that ran them, the
// first ended `paused`, the operation's outcome from the last end. Events arrive out of order
// from different buffers.
TEST(EventLog, PausedOperationHasOneSegmentPerStart) {
  EventLog log(2);
  OperationEvent event{.run_id = 0,
                       .operation = 3,
                       .name = "scan",
                       .component = {},
                       .priority = {},
                       .status = OpStatus::running,
                       .worker = 1,
                       .time = at_us(50)};
  log.record_operation(EventKind::start, event);  // resumed on worker 1
  event.status = OpStatus::completed;
  event.time = at_us(80);
  log.record_operation(EventKind::end, event);
  event.worker = 0;
  event.status = OpStatus::running;
  event.time = at_us(10);
  log.record_operation(EventKind::start, event);  // first ran on worker 0
  event.status = OpStatus::paused;
  event.time = at_us(20);
  log.record_operation(EventKind::end, event);
  const Timeline t = log.timeline();
  ASSERT_EQ(t.operations.size(), 1U);
  const OperationTimeline& op = t.operations[0];
  EXPECT_EQ(op.start, at_us(10));
  EXPECT_EQ(op.end, at_us(80));
  EXPECT_EQ(op.status, OpStatus::completed);
  ASSERT_EQ(op.segments.size(), 2U);
  EXPECT_EQ(op.segments[0].worker, 0U);
  EXPECT_EQ(op.segments[0].end, at_us(20));
  EXPECT_EQ(op.segments[0].ended_as, OpStatus::paused);
  EXPECT_EQ(op.segments[1].worker, 1U);
  EXPECT_EQ(op.segments[1].begin, at_us(50));
  EXPECT_EQ(op.segments[1].ended_as, OpStatus::completed);
  // The metrics count the 40 us it ran, not the 70 us from first start to last end.
  MetricsCollector metrics(2);
  metrics.on_operation_start({.run_id = 0, .operation = 3, .name = "scan", .component = {},
                              .priority = {}, .status = OpStatus::running, .worker = 0,
                              .time = at_us(10)});
  metrics.on_operation_end({.run_id = 0, .operation = 3, .name = "scan", .component = {},
                            .priority = {}, .status = OpStatus::paused, .worker = 0,
                            .time = at_us(20)});
  metrics.on_operation_start({.run_id = 0, .operation = 3, .name = "scan", .component = {},
                              .priority = {}, .status = OpStatus::running, .worker = 1,
                              .time = at_us(50)});
  metrics.on_operation_end({.run_id = 0, .operation = 3, .name = "scan", .component = {},
                            .priority = {}, .status = OpStatus::completed, .worker = 1,
                            .time = at_us(80)});
  ASSERT_EQ(metrics.metrics().operations.size(), 1U);
  EXPECT_DOUBLE_EQ(*metrics.metrics().operations[0].run_us, 40.0);
}

TEST(EventLog, RunEventsKeepTheEarliestTimes) {
  EventLog log(1);
  log.record_run(EventKind::run_begin,
                 {.run_id = 3, .operations = 5, .workers = 1, .time = at_us(4)});
  log.record_run(EventKind::run_begin,
                 {.run_id = 3, .operations = 0, .workers = 0, .time = at_us(1)});
  log.record_run(EventKind::run_end,
                 {.run_id = 3, .operations = 5, .workers = 1, .time = at_us(9)});
  const Timeline t = log.timeline();
  ASSERT_EQ(t.runs.size(), 1U);
  EXPECT_EQ(t.runs[0].begin, at_us(1));
  EXPECT_EQ(t.runs[0].end, at_us(9));
  EXPECT_EQ(t.runs[0].operations, 5U);
  EXPECT_EQ(t.runs[0].workers, 1U);
  EXPECT_EQ(log.workers(), 1U);
}

}  // namespace
}  // namespace neat::detail
