// `neatsched run`: tables, JSON, traces, the sequential mode and the baseline comparison.
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace neat::cli_test {
namespace {

using nlohmann::json;

json parse_stdout(const Result& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);  // throws (failing the test) when stdout is not pure JSON
}

TEST(CliRun, ChainOnOneAndTwoWorkers) {
  for (int workers : {1, 2}) {
    const Result r =
        neatsched("run " + example("chain.json") + " --workers " + std::to_string(workers));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_TRUE(contains(r.out, "workload chain (" + example("chain.json") + "): 5 operations"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "parallel on " + std::to_string(workers) + " workers")) << r.out;
    EXPECT_TRUE(contains(r.out, "5 completed")) << r.out;
    EXPECT_TRUE(contains(r.out, "pipeline")) << r.out;  // the component row
  }
}

TEST(CliRun, JsonHasTheMetrics) {
  const json j = parse_stdout(neatsched("run " + example("fork_join.json") + " -w 2 --json"));
  EXPECT_EQ(j["workload"]["name"], "fork_join");
  EXPECT_EQ(j["workload"]["operations"], 10);
  EXPECT_EQ(j["workload"]["edges"], 16);
  EXPECT_EQ(j["mode"], "parallel");
  EXPECT_EQ(j["workers"], 2);
  EXPECT_EQ(j["repeat"], 1);
  const json& m = j["metrics"];
  EXPECT_EQ(m["runs"], 1);
  EXPECT_EQ(m["workers"], 2);
  EXPECT_EQ(m["operations"]["completed"], 10);
  EXPECT_EQ(m["operations"]["failed"], 0);
  EXPECT_GT(m["makespan_us"].get<double>(), 0.0);
  EXPECT_TRUE(m["bounds"]["critical_path_us"].is_number());
  EXPECT_EQ(m["per_component"].size(), 2u);
  EXPECT_FALSE(j.contains("baseline"));
  EXPECT_FALSE(j.contains("trace"));
}

TEST(CliRun, RepeatRunsTheWorkloadAgain) {
  const json j =
      parse_stdout(neatsched("run " + example("chain.json") + " -w 2 --repeat 3 --json"));
  EXPECT_EQ(j["repeat"], 3);
  EXPECT_EQ(j["metrics"]["runs"], 3);
  EXPECT_EQ(j["metrics"]["operations"]["completed"], 15);
}

TEST(CliRun, Sequential) {
  const Result text = neatsched("run " + example("chain.json") + " --sequential");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "sequential on 1 thread")) << text.out;
  const json j =
      parse_stdout(neatsched("run " + example("fork_join.json") + " --sequential --json"));
  EXPECT_EQ(j["mode"], "sequential");
  EXPECT_EQ(j["workers"], 1);
  EXPECT_EQ(j["metrics"]["operations"]["completed"], 10);
  EXPECT_EQ(j["metrics"]["per_worker"].size(), 1u);
}

TEST(CliRun, BaselineComparesInTheSameProcess) {
  const Result text = neatsched("run " + example("fork_join.json") + " -w 2 --baseline");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "baseline:")) << text.out;
  EXPECT_TRUE(contains(text.out, "end-to-end time (ms)")) << text.out;
  EXPECT_TRUE(contains(text.out, "CPU utilization (2 CPUs)")) << text.out;
  EXPECT_TRUE(contains(text.out, "component wait (ms)")) << text.out;

  const json j =
      parse_stdout(neatsched("run " + example("fork_join.json") + " -w 2 --baseline --json"));
  EXPECT_EQ(j["baseline"]["workers"], 1);
  EXPECT_EQ(j["baseline"]["operations"]["completed"], 10);
  const json& c = j["comparison"];
  EXPECT_EQ(c["cpus"], 2);
  EXPECT_EQ(c["sequential_makespan_us"], j["baseline"]["makespan_us"]);
  EXPECT_EQ(c["parallel_makespan_us"], j["metrics"]["makespan_us"]);
  const double seq = c["sequential_makespan_us"].get<double>();
  const double par = c["parallel_makespan_us"].get<double>();
  EXPECT_DOUBLE_EQ(c["end_to_end_reduction"].get<double>(), 1.0 - par / seq);
  EXPECT_DOUBLE_EQ(c["speedup"].get<double>(), seq / par);
  EXPECT_DOUBLE_EQ(c["utilization_gain_points"].get<double>(),
                   100.0 * (c["parallel_utilization"].get<double>() -
                            c["sequential_utilization"].get<double>()));
  // One thread keeps at most one of the two CPUs busy.
  EXPECT_LE(c["sequential_utilization"].get<double>(), 0.51);
  EXPECT_EQ(c["per_component"].size(), 2u);
  EXPECT_TRUE(c["wait_reduction"].is_number());
}

TEST(CliRun, TraceIsChromeTraceJson) {
  const auto path = scratch("trace.json");
  const Result r =
      neatsched("run " + example("fork_join.json") + " -w 2 --trace '" + path.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "trace written to " + path.string())) << r.out;
  const json trace = json::parse(read_text(path));
  ASSERT_TRUE(trace["traceEvents"].is_array());
  std::size_t operations = 0;
  bool saw_join = false;
  for (const json& e : trace["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph"));
    if (e["ph"] == "X" && e.value("cat", "") == "workers") ++operations;
    if (e.value("name", "") == "join") saw_join = true;
  }
  EXPECT_EQ(operations, 8u);
  EXPECT_TRUE(saw_join);
  std::filesystem::remove(path);
}

TEST(CliRun, SequentialTraceAndJsonTogether) {
  const auto path = scratch("trace.json");
  const json j = parse_stdout(neatsched("run " + example("chain.json") +
                                        " --sequential --json --trace '" + path.string() + "'"));
  EXPECT_EQ(j["trace"], path.string());
  const json trace = json::parse(read_text(path));
  EXPECT_FALSE(trace["traceEvents"].empty());
  std::filesystem::remove(path);
}

TEST(CliRun, DefaultWorkloadWhenNoFileIsGiven) {
  const json j = parse_stdout(neatsched("run -w 2 --json"));
  EXPECT_EQ(j["workload"]["name"], "neat_default");
  EXPECT_EQ(j["workload"]["source"], "<built-in>");
  EXPECT_EQ(j["metrics"]["operations"]["completed"], j["workload"]["operations"]);
  EXPECT_EQ(j["metrics"]["per_component"].size(), 5u);
}

TEST(CliRun, AFailedOperationExitsWithOneAndSaysWhatDidNotRun) {
  for (const char* mode : {"-w 2", "--sequential"}) {
    const Result r = neatsched("run " + example("failure.json") + " " + mode);
    EXPECT_EQ(r.exit_code, 1) << mode;
    EXPECT_TRUE(
        r.err.starts_with("neatsched: operation 'encode' (component 'encoder') failed: "
                          "encoder weights are corrupt"))
        << mode << ": " << r.err;
  }
  const Result r = neatsched("run " + example("failure.json") + " -w 2");
  EXPECT_TRUE(contains(r.err, "not run: decode (cancelled): dependency 'encode' failed")) << r.err;
}

}  // namespace
}  // namespace neat::cli_test
