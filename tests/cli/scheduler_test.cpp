// `neatsched run` through the ExecutionScheduler: chosen by --scheduler or by a file that needs
// it; the report as text and JSON, the trace, failures, and the options it refuses.
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace neat::cli_test {
namespace {

using nlohmann::json;

json parse_stdout(const Result& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

const json& operation(const json& report, const std::string& name) {
  for (const json& op : report["per_operation"]) {
    if (op["name"] == name) return op;
  }
  throw std::runtime_error("no operation " + name);
}

TEST(CliScheduler, AFileThatNeedsTheSchedulerRunsThroughIt) {
  const Result r = neatsched("run " + example("preemption.json") + " -w 2");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(r.out.starts_with("workload preemption (" + example("preemption.json") +
                                "): 6 operations, 1 pipeline; scheduler on 2 workers "
                                "(operation 'scan#0' has checkpoints)\n"))
      << r.out;
  for (const char* part :
       {"start latency ms", "report (timed_out): deadline passed before it started",
        "start latency (ms)", "critical ", "ingest ", "16/16", "preemption requests",
        "raised by inheritance", "makespan "}) {
    EXPECT_TRUE(contains(r.out, part)) << part << " in\n" << r.out;
  }
}

TEST(CliScheduler, JsonReportOfThePreemptionExample) {
  const json j = parse_stdout(neatsched("run " + example("preemption.json") + " -w 2 --json"));
  EXPECT_EQ(j["mode"], "scheduler");
  EXPECT_EQ(j["why"], "operation 'scan#0' has checkpoints");
  EXPECT_EQ(j["workers"], 2);
  EXPECT_EQ(j["workload"]["operations"], 6);
  EXPECT_EQ(j["workload"]["pipelines"], 1);
  const json& report = j["report"];
  SCOPED_TRACE(report.dump());  // the whole report beside any failure: timings vary with load
  EXPECT_EQ(report["operations"]["submitted"], 6);
  // `report` always times out; `recall` too when this shared machine stalls it past 5 ms.
  const int recall_late = operation(report, "recall")["status"] == "timed_out" ? 1 : 0;
  EXPECT_EQ(report["operations"]["timed_out"], 1 + recall_late);
  EXPECT_GE(report["scheduler"]["preemptions"].get<int>(), 1);
  EXPECT_GE(report["scheduler"]["parked"].get<int>(), 1);
  EXPECT_GE(report["scheduler"]["inherited"].get<int>(), 1);
  const json& recall = operation(report, "recall");
  EXPECT_EQ(recall["priority"], "critical");
  EXPECT_EQ(recall["arrive_ms"], 20.0);
  EXPECT_EQ(recall["deadline_ms"], 5.0);
  // Completed, unless this shared machine stalled the run past its 5 ms deadline.
  EXPECT_TRUE(recall["status"] == "completed" || recall["status"] == "timed_out") << recall;
  if (recall["status"] == "completed") {
    EXPECT_LT(recall["start_latency_us"].get<double>(), 100000.0);  // the scans run ~200 ms
  }
  const json& report_op = operation(report, "report");
  EXPECT_EQ(report_op["status"], "timed_out");
  EXPECT_TRUE(report_op["start_latency_us"].is_null());
  EXPECT_EQ(operation(report, "prefetch")["effective_priority"], "critical");
  EXPECT_TRUE(operation(report, "scan#0")["preemptible"].get<bool>());
  EXPECT_GE(operation(report, "scan#0")["pauses"].get<int>() +
                operation(report, "scan#1")["pauses"].get<int>(),
            1);
  ASSERT_EQ(report["pipelines"].size(), 1u);
  EXPECT_EQ(report["pipelines"][0]["status"], "completed");
  EXPECT_EQ(report["pipelines"][0]["items_completed"], 16);
  EXPECT_GT(report["pipelines"][0]["items_per_second"].get<double>(), 0.0);
  EXPECT_EQ(report["start_latency"][0]["priority"], "critical");
  EXPECT_GT(report["makespan_us"].get<double>(), 150000.0);
}

TEST(CliScheduler, TheFlagRunsAnyWorkloadThroughTheScheduler) {
  const auto path = scratch("trace.json");
  const json j = parse_stdout(neatsched("run --scheduler " + example("fork_join.json") +
                                        " -w 2 --json --trace '" + path.string() + "'"));
  EXPECT_EQ(j["mode"], "scheduler");
  EXPECT_EQ(j["why"], "--scheduler");
  EXPECT_EQ(j["trace"], path.string());
  EXPECT_EQ(j["report"]["operations"]["completed"], 10);
  EXPECT_TRUE(j["report"]["pipelines"].empty());
  // The trace shows the scheduler's operations (run 0) with their priority.
  const json trace = json::parse(read_text(path));
  std::size_t scheduled = 0;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] == "X" && e.contains("args") && e["args"].value("run_id", -1) == 0) {
      ++scheduled;
      EXPECT_TRUE(e["args"].contains("priority")) << e;
      EXPECT_EQ(e["args"]["status"], "completed") << e;
    }
  }
  EXPECT_EQ(scheduled, 10u);
  std::filesystem::remove(path);
}

TEST(CliScheduler, TextModeNamesTheTraceFile) {
  const auto path = scratch("trace.json");
  const Result r = neatsched("run --scheduler " + example("chain.json") + " -w 1 --trace '" +
                             path.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "scheduler on 1 workers (--scheduler)")) << r.out;
  EXPECT_FALSE(contains(r.out, "items/s")) << r.out;  // no pipeline table
  EXPECT_TRUE(contains(r.out, "trace written to " + path.string())) << r.out;
  std::filesystem::remove(path);
}

TEST(CliScheduler, AFailurePrintsTheReportThenExitsWithOne) {
  const Result r = neatsched("run --scheduler " + example("failure.json") + " -w 2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.out,
                       "decode (cancelled): dependency 'encode' failed: encoder weights "
                       "are corrupt"))
      << r.out;
  EXPECT_EQ(r.err, "neatsched: operation 'encode' failed: threw: encoder weights are corrupt\n");
}

TEST(CliScheduler, ACycleIsBadInput) {
  const Result r = neatsched("run --scheduler " + example("bad/cycle.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with("neatsched: " + example("bad/cycle.json") + ": dependency cycle: "))
      << r.err;
}

TEST(CliScheduler, GraphOnlyOptionsAreRefusedForAFileThatNeedsTheScheduler) {
  for (const char* option : {"--sequential", "--baseline", "--repeat 2", "--profile p.json"}) {
    const Result r = neatsched("run " + example("preemption.json") + " " + option);
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_EQ(r.out, "") << option;
    const std::string flag = std::string(option).substr(0, std::string(option).find(' '));
    EXPECT_EQ(r.err, "neatsched: " + example("preemption.json") +
                         " needs a scheduler run (operation 'scan#0' has checkpoints); " + flag +
                         " applies to graph runs only\n")
        << option;
  }
}

TEST(CliScheduler, GraphOnlyOptionsAreRefusedWithTheFlag) {
  for (const char* option : {"--sequential", "--baseline", "--repeat 2", "--profile p.json"}) {
    const Result r = neatsched("run --scheduler " + example("chain.json") + " " + option);
    EXPECT_EQ(r.exit_code, 2) << option;
    EXPECT_EQ(r.out, "") << option;
    EXPECT_TRUE(contains(r.err, "excludes")) << option << ": " << r.err;
  }
}

TEST(CliScheduler, UnwritableTraceIsRefusedBeforeRunning) {
  const Result r = neatsched("run " + example("preemption.json") + " --trace /nonexistent/t.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with("neatsched: cannot write the trace file")) << r.err;
}

}  // namespace
}  // namespace neat::cli_test
