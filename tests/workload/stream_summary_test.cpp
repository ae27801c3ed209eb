// The report of a request stream from its records [workload.streams]: outcome counts, mean
// batch size, throughput over the stream's span and nearest-rank latency percentiles.
#include <gtest/gtest.h>

#include "workload/scheduled_stream.hpp"

namespace neat {
namespace {

using detail::RequestRecord;
using Outcome = RequestRecord::Outcome;
using std::chrono::milliseconds;

TEST(StreamSummary, CountsOutcomesAndTakesPercentilesOfTheCompletedOnes) {
  const Clock::time_point start = Clock::now();
  std::vector<RequestRecord> records;
  // Completed: arrival at 10 + i ms, latency 1 + i ms (i = 0..19): the last result at 49 ms.
  for (int i = 0; i < 20; ++i) {
    const Clock::time_point arrival = start + milliseconds(10 + i);
    records.push_back({Outcome::completed, arrival, arrival + milliseconds(1 + i)});
  }
  records.push_back({Outcome::failed, start + milliseconds(5), {}});
  records.push_back({Outcome::timed_out, start + milliseconds(50), {}});
  records.push_back({Outcome::refused, start + milliseconds(60), {}});
  records.push_back({Outcome::not_sent, start, {}});  // left out (a run that was stopped)
  const RequestStreamSpec spec{
      .name = "s", .component = "c", .priority = ExecutionPriority::low, .requests = 24};
  const DynamicBatcherStats stats{.submitted = 22, .timed_out = 1, .batches = 7};
  const ScheduledStream s = detail::summarize_stream(spec, records, stats, start);
  EXPECT_EQ(s.name, "s");
  EXPECT_EQ(s.component, "c");
  EXPECT_EQ(s.priority, ExecutionPriority::low);
  EXPECT_EQ(s.requests, 24u);
  EXPECT_EQ(s.completed, 20u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.timed_out, 1u);
  EXPECT_EQ(s.refused, 1u);
  EXPECT_EQ(s.mean_batch_size, 3.0);  // (22 - 1) / 7
  EXPECT_EQ(s.batcher.batches, 7u);
  EXPECT_DOUBLE_EQ(s.started_us, 5000.0);    // the earliest arrival, failed or not
  EXPECT_DOUBLE_EQ(s.finished_us, 49000.0);  // the last completed result
  EXPECT_DOUBLE_EQ(s.requests_per_second, 20.0 / 0.044);
  ASSERT_TRUE(s.latency.has_value());
  EXPECT_DOUBLE_EQ(s.latency->p50_us, 10000.0);  // rank 10 of 20
  EXPECT_DOUBLE_EQ(s.latency->p95_us, 19000.0);  // rank 19
  EXPECT_DOUBLE_EQ(s.latency->p99_us, 20000.0);  // rank 20
  EXPECT_DOUBLE_EQ(s.latency->mean_us, 10500.0);
  EXPECT_DOUBLE_EQ(s.latency->max_us, 20000.0);
}

TEST(StreamSummary, NothingCompletedNothingToMeasure) {
  const Clock::time_point start = Clock::now();
  const std::vector<RequestRecord> records{{Outcome::timed_out, start + milliseconds(2), {}}};
  const ScheduledStream s = detail::summarize_stream({.requests = 1}, records, {}, start);
  EXPECT_EQ(s.timed_out, 1u);
  EXPECT_FALSE(s.latency.has_value());
  EXPECT_EQ(s.mean_batch_size, 0.0);
  EXPECT_DOUBLE_EQ(s.finished_us, s.started_us);
  EXPECT_EQ(s.requests_per_second, 0.0);
  EXPECT_EQ(detail::summarize_stream({}, {}, {}, start).started_us, 0.0);
}

}  // namespace
}  // namespace neat
