#include "neat/trace/report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "synthetic_events.hpp"

namespace neat {
namespace {

using nlohmann::json;
using test::feed;
using test::feed_run;
using ::testing::HasSubstr;
using ::testing::Not;

// Two workers, one run of 100 us; a caller-run operation and a cancelled one.
RunMetrics sample_metrics() {
  MetricsCollector collector(2);
  feed_run(collector, 1, 0.0, 100.0, 4, 2);
  feed(collector, {.operation = 0,
                   .name = "gemm",
                   .component = "titans_memory",
                   .worker = 0,
                   .ready_us = 0,
                   .start_us = 10,
                   .end_us = 60});
  feed(collector, {.operation = 1,
                   .name = "encode",
                   .component = "blt",
                   .worker = 1,
                   .ready_us = 0,
                   .start_us = 0,
                   .end_us = 25});
  feed(collector,
       {.operation = 2, .worker = k_not_a_worker, .ready_us = 20, .start_us = 30, .end_us = 40});
  feed(collector, {.operation = 3,
                   .name = "skip",
                   .component = "blt",
                   .worker = 1,
                   .end_us = 100,
                   .status = OpStatus::cancelled});
  return collector.metrics();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const std::string& line_starting(const std::vector<std::string>& lines, std::string_view head) {
  for (const std::string& line : lines) {
    if (line.rfind(head, 0) == 0) return line;
  }
  static const std::string none = "<missing>";
  ADD_FAILURE() << "no line starts with '" << head << "'";
  return none;
}

TEST(FormatMetricsTable, SummaryWorkersAndComponents) {
  const std::string table = format_metrics_table(sample_metrics());
  const auto lines = lines_of(table);
  EXPECT_EQ(table.back(), '\n');
  EXPECT_THAT(line_starting(lines, "  makespan"), HasSubstr("100.000 us"));
  EXPECT_THAT(line_starting(lines, "  utilization"), HasSubstr("37.5 %"));  // 75 / 200
  EXPECT_THAT(line_starting(lines, "  operations"),
              HasSubstr("3 executed: 3 completed, 0 failed, 1 cancelled"));
  EXPECT_THAT(line_starting(lines, "  wait"), HasSubstr("n=3  mean 6.667"));
  EXPECT_THAT(line_starting(lines, "  run "), HasSubstr("max 50.000 us"));
  EXPECT_THAT(table, Not(HasSubstr("efficiency")));
  EXPECT_THAT(table, Not(HasSubstr("lower bound")));

  const std::string& header = line_starting(lines, "worker ");
  const std::string& w0 = line_starting(lines, "worker 0");
  const std::string& caller = line_starting(lines, "caller");
  EXPECT_EQ(w0.size(), header.size());  // aligned columns
  EXPECT_EQ(caller.size(), header.size());
  EXPECT_THAT(w0, HasSubstr("50.000"));
  EXPECT_THAT(w0, HasSubstr("50.0"));

  const std::string& components = line_starting(lines, "component");
  const std::string& memory = line_starting(lines, "titans_memory");
  const std::string& none = line_starting(lines, "(none)");
  EXPECT_EQ(memory.size(), components.size());
  EXPECT_EQ(none.size(), components.size());
  EXPECT_THAT(line_starting(lines, "blt"), HasSubstr("25.000"));
}

TEST(FormatMetricsTable, ShowsBoundsAndEfficiencyWhenSet) {
  RunMetrics m = sample_metrics();
  set_work_bounds(m, {.total_work_us = 170.0, .critical_path_us = 60.0});
  const auto lines = lines_of(format_metrics_table(m));
  EXPECT_THAT(line_starting(lines, "  lower bound"),
              HasSubstr("85.000 us (critical path 60.000 us, total work 170.000 us)"));
  EXPECT_THAT(line_starting(lines, "  efficiency"), HasSubstr("85.0 %"));
}

TEST(FormatMetricsTable, ControlCharactersDoNotBreakRows) {
  RunMetrics m;
  m.per_component.push_back({.component = "two\nlines"});
  const std::string table = format_metrics_table(m);
  EXPECT_THAT(table, HasSubstr("two lines"));
  EXPECT_THAT(table, Not(HasSubstr("two\nlines")));
}

TEST(MetricsToJson, CarriesEveryNumber) {
  const json doc = json::parse(metrics_to_json(sample_metrics()));
  EXPECT_EQ(doc.at("runs"), 1);
  EXPECT_EQ(doc.at("workers"), 2);
  EXPECT_DOUBLE_EQ(doc.at("makespan_us").get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(doc.at("busy_us").get<double>(), 75.0);
  EXPECT_DOUBLE_EQ(doc.at("utilization").get<double>(), 0.375);
  EXPECT_EQ(doc.at("operations").at("executed"), 3);
  EXPECT_EQ(doc.at("operations").at("cancelled"), 1);
  EXPECT_EQ(doc.at("operations").at("unfinished"), 0);
  EXPECT_EQ(doc.at("wait_us").at("count"), 3);
  EXPECT_DOUBLE_EQ(doc.at("wait_us").at("p95").get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(doc.at("run_us").at("max").get<double>(), 50.0);
  const json& workers = doc.at("per_worker");
  ASSERT_EQ(workers.size(), 3U);
  EXPECT_EQ(workers[0].at("worker"), 0);
  EXPECT_EQ(workers[0].at("name"), "worker 0");
  EXPECT_DOUBLE_EQ(workers[0].at("busy_us").get<double>(), 50.0);
  EXPECT_TRUE(workers[2].at("worker").is_null());
  EXPECT_EQ(workers[2].at("name"), "caller");
  const json& components = doc.at("per_component");
  ASSERT_EQ(components.size(), 3U);
  EXPECT_EQ(components[1].at("component"), "blt");
  EXPECT_EQ(components[1].at("cancelled"), 1);
  EXPECT_DOUBLE_EQ(components[2].at("mean_wait_us").get<double>(), 10.0);
  EXPECT_FALSE(doc.contains("bounds"));
  EXPECT_FALSE(doc.contains("per_operation"));
}

TEST(MetricsToJson, BoundsAndOperationsOnRequest) {
  RunMetrics m = sample_metrics();
  set_work_bounds(m, {.total_work_us = 170.0, .critical_path_us = 60.0});
  const json doc = json::parse(metrics_to_json(m, true));
  EXPECT_DOUBLE_EQ(doc.at("bounds").at("lower_bound_us").get<double>(), 85.0);
  EXPECT_DOUBLE_EQ(doc.at("bounds").at("efficiency").get<double>(), 0.85);
  EXPECT_DOUBLE_EQ(doc.at("bounds").at("total_work_us").get<double>(), 170.0);
  const json& ops = doc.at("per_operation");
  ASSERT_EQ(ops.size(), 4U);
  EXPECT_EQ(ops[0].at("name"), "gemm");
  EXPECT_EQ(ops[0].at("priority"), "medium");
  EXPECT_EQ(ops[0].at("status"), "completed");
  EXPECT_DOUBLE_EQ(ops[0].at("wait_us").get<double>(), 10.0);
  EXPECT_TRUE(ops[2].at("worker").is_null());
  EXPECT_EQ(ops[3].at("status"), "cancelled");
  EXPECT_TRUE(ops[3].at("run_us").is_null());
  EXPECT_TRUE(ops[3].at("wait_us").is_null());
}

TEST(MetricsToJson, BoundsWithoutTotalsAreNull) {
  RunMetrics m;
  m.lower_bound_us = 5.0;  // set by hand, without the totals it came from
  const json doc = json::parse(metrics_to_json(m));
  EXPECT_TRUE(doc.at("bounds").at("total_work_us").is_null());
  EXPECT_TRUE(doc.at("bounds").at("critical_path_us").is_null());
  EXPECT_DOUBLE_EQ(doc.at("bounds").at("lower_bound_us").get<double>(), 5.0);
}

TEST(MetricsToJson, EfficiencyNullWhenMakespanIsZero) {
  RunMetrics m;
  m.workers = 1;
  set_work_bounds(m, {.total_work_us = 1.0, .critical_path_us = 1.0});
  const json doc = json::parse(metrics_to_json(m));
  EXPECT_TRUE(doc.at("bounds").at("efficiency").is_null());
}

TEST(MetricsToJson, EscapesNames) {
  RunMetrics m;
  m.per_component.push_back({.component = "q\"uote\\ \xC3\xA9 \xFF"});
  const json doc = json::parse(metrics_to_json(m));
  EXPECT_EQ(doc.at("per_component")[0].at("component"), "q\"uote\\ \xC3\xA9 \xEF\xBF\xBD");
}

TEST(FoldedStacks, AggregatesRunTimePerComponentAndOperation) {
  MetricsCollector collector(1);
  feed(collector, {.operation = 0,
                   .name = "gemm",
                   .component = "titans",
                   .worker = 0,
                   .start_us = 0,
                   .end_us = 10.4});
  feed(collector, {.operation = 1,
                   .name = "gemm",
                   .component = "titans",
                   .worker = 0,
                   .start_us = 20,
                   .end_us = 25.3});
  feed(collector, {.operation = 2,
                   .name = "a;b\nc",
                   .component = "x;y",
                   .worker = 0,
                   .start_us = 30,
                   .end_us = 32});
  feed(collector, {.operation = 3, .worker = 0, .start_us = 40, .end_us = 41});
  feed(collector, {.operation = 4,
                   .name = "never",
                   .component = "titans",
                   .worker = 0,
                   .end_us = 50,
                   .status = OpStatus::cancelled});
  EXPECT_EQ(folded_stacks(collector.metrics()),
            "none;op#3 1\n"
            "titans;gemm 16\n"
            "x:y;a:b c 2\n");
}

TEST(FoldedStacks, EmptyWhenNothingRan) {
  EXPECT_EQ(folded_stacks(RunMetrics{}), "");
}

}  // namespace
}  // namespace neat
