// The scheduler parts of the workload format: arrivals, deadlines, kernels with checkpoints and
// pipelines; what valid files produce and the error, with its JSON path, for every bad value.
#include <gtest/gtest.h>

#include "neat/workload/workload.hpp"

namespace neat {
namespace {

Workload parse(std::string_view text) {
  return parse_workload(text, "t.json");
}

std::string with_ops(const std::string& ops, const std::string& extra = "") {
  return R"({"name": "t", "components": [{"name": "c", "priority": "high"}], "operations": [)" +
         ops + "]" + extra + "}";
}

const std::string k_op = R"({"name": "a", "kernel": {"type": "spin", "us": 10}})";

std::string with_pipeline(const std::string& pipeline) {
  return with_ops(k_op, R"(, "pipelines": [)" + pipeline + "]");
}

void expect_error(const std::string& text, const std::string& path, const std::string& problem) {
  SCOPED_TRACE(text);
  try {
    (void)parse(text);
    ADD_FAILURE() << "no WorkloadError";
  } catch (const WorkloadError& e) {
    EXPECT_EQ(e.json_path(), path);
    EXPECT_EQ(e.problem(), problem);
  }
}

TEST(ScheduledFormat, OperationTimesAndCheckpoints) {
  const Workload w = parse(with_ops(
      R"({"name": "a", "arrive_ms": 2.5, "deadline_ms": 10,
          "kernel": {"type": "spin", "us": 1000, "checkpoint_us": 100, "mode": "deadline"}},
         {"name": "b", "kernel": {"type": "sleep", "us": 50, "checkpoint_us": 50}},
         {"name": "c", "arrive_ms": 0, "kernel": {"type": "spin", "us": 5}})"));
  ASSERT_EQ(w.operations.size(), 3u);
  EXPECT_EQ(w.operations[0].arrive_ms, 2.5);
  EXPECT_EQ(w.operations[0].deadline_ms, 10.0);
  EXPECT_EQ(w.operations[0].kernel, (KernelSpec{.type = KernelType::spin,
                                                .us = 1000.0,
                                                .spin_mode = SpinMode::deadline,
                                                .checkpoint_us = 100.0}));
  EXPECT_EQ(w.operations[1].kernel.checkpoint_us, 50.0);
  EXPECT_EQ(w.operations[2].arrive_ms, 0.0);
  EXPECT_FALSE(w.operations[2].deadline_ms.has_value());
  EXPECT_EQ(w.operations[2].kernel.checkpoint_us, 0.0);
  EXPECT_TRUE(w.pipelines.empty());
}

TEST(ScheduledFormat, RepeatedCopiesKeepTheirTimes) {
  const Workload w = parse(with_ops(
      R"({"name": "a", "repeat": 2, "arrive_ms": 3, "deadline_ms": 4, "kernel": {"type": "spin", "us": 1}})"));
  ASSERT_EQ(w.operations.size(), 2u);
  EXPECT_EQ(w.operations[1].arrive_ms, 3.0);
  EXPECT_EQ(w.operations[1].deadline_ms, 4.0);
}

TEST(ScheduledFormat, AfterMayNameAnEarlierOrEqualArrival) {
  const Workload w = parse(with_ops(
      R"({"name": "b", "arrive_ms": 5, "after": ["a"], "kernel": {"type": "spin", "us": 1}},
         {"name": "a", "arrive_ms": 5, "kernel": {"type": "spin", "us": 1}},
         {"name": "c", "arrive_ms": 9, "after": ["a", "b"], "kernel": {"type": "spin", "us": 1}})"));
  EXPECT_EQ(w.operations[2].after, (std::vector<std::string>{"a", "b"}));
}

TEST(ScheduledFormat, Pipelines) {
  const Workload w = parse(with_ops(k_op, R"(, "pipelines": [
      {"name": "p", "component": "c", "items": 8, "in_flight": 3, "arrive_ms": 1.5,
       "stages": [{"name": "s1", "kernel": {"type": "sleep", "us": 10}},
                  {"name": "s2", "kernel": {"type": "gemm", "m": 4, "n": 4, "k": 4},
                   "parallel": true}]},
      {"name": "q", "priority": "low", "items": 1,
       "stages": [{"name": "s1", "kernel": {"type": "fail"}, "parallel": false}]}])"));
  ASSERT_EQ(w.pipelines.size(), 2u);
  const PipelineSpec& p = w.pipelines[0];
  EXPECT_EQ(p.name, "p");
  EXPECT_EQ(p.component, "c");
  EXPECT_EQ(p.priority, ExecutionPriority::high);  // the component's
  EXPECT_EQ(p.items, 8u);
  EXPECT_EQ(p.in_flight, 3u);
  EXPECT_EQ(p.arrive_ms, 1.5);
  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.stages[0], (PipelineStageSpec{"s1", {.type = KernelType::sleep, .us = 10.0}, false}));
  EXPECT_TRUE(p.stages[1].parallel);
  EXPECT_EQ(p.stages[1].kernel.m, 4u);
  const PipelineSpec& q = w.pipelines[1];
  EXPECT_EQ(q.component, "");
  EXPECT_EQ(q.priority, ExecutionPriority::low);
  EXPECT_EQ(q.in_flight, 0u);  // the default: twice the workers
  EXPECT_EQ(q.arrive_ms, 0.0);
  EXPECT_EQ(q.stages[0].kernel.message, "injected failure");
}

// One bad member per case: `member` is spliced into a valid object by `make`, and the error
// must be at `prefix` + `path`.
struct BadMember {
  std::string member;
  std::string path;
  std::string problem;
};

template <class Make>
void expect_errors(Make make, const std::string& prefix, const std::vector<BadMember>& cases) {
  for (const BadMember& c : cases) expect_error(make(c.member), prefix + c.path, c.problem);
}

TEST(ScheduledFormatErrors, OperationTimes) {
  const auto op = [](const std::string& member) {
    return with_ops(R"({"name": "a", )" + member + R"(, "kernel": {"type": "spin", "us": 1}})");
  };
  expect_errors(op, "/operations/0/",
                {{R"("arrive_ms": -1)", "arrive_ms", "must be non-negative, got -1"},
                 {R"("arrive_ms": "soon")", "arrive_ms", "expected a number, got a string"},
                 {R"("arrive_ms": 600001)", "arrive_ms", "must be at most 600000, got 600001"},
                 {R"("deadline_ms": 0)", "deadline_ms", "must be positive, got 0"},
                 {R"("deadline_ms": -3.5)", "deadline_ms", "must be positive, got -3.5"},
                 {R"("deadline_ms": null)", "deadline_ms", "expected a number, got null"},
                 {R"("dedline_ms": 5)", "dedline_ms",
                  "unknown key 'dedline_ms' (did you mean 'deadline_ms'?)"}});
}

TEST(ScheduledFormatErrors, AfterALaterArrival) {
  expect_error(
      with_ops(
          R"({"name": "a", "arrive_ms": 20, "after": ["x", "b"], "kernel": {"type": "spin", "us": 1}},
                  {"name": "x", "kernel": {"type": "spin", "us": 1}},
                  {"name": "b", "repeat": 2, "arrive_ms": 50, "kernel": {"type": "spin", "us": 1}})"),
      "/operations/0/after/1",
      "'b#0' arrives at 50 ms, later than this operation (20 ms); an operation can only wait "
      "for one that arrives no later");
}

TEST(ScheduledFormatErrors, Checkpoints) {
  const auto kernel = [](const std::string& fields) {
    return with_ops(R"({"name": "a", "kernel": {)" + fields + "}}");
  };
  expect_errors(
      kernel, "/operations/0/kernel/checkpoint_us",
      {{R"("type": "spin", "us": 100, "checkpoint_us": 0)", "", "must be positive, got 0"},
       {R"("type": "spin", "us": 100, "checkpoint_us": 0.5)", "", "must be at least 1, got 0.5"},
       {R"("type": "sleep", "us": 100, "checkpoint_us": 200)", "",
        "must be at most the kernel's us (100), got 200"},
       {R"("type": "spin", "us": 100, "checkpoint_us": true)", "",
        "expected a number, got a boolean"},
       {R"("type": "gemm", "m": 1, "n": 1, "k": 1, "checkpoint_us": 10)", "",
        "unknown key 'checkpoint_us' (allowed: type, m, n, k)"},
       {R"("type": "fail", "checkpoint_us": 10)", "",
        "unknown key 'checkpoint_us' (allowed: type, message)"}});
}

TEST(ScheduledFormatErrors, PipelineFields) {
  const std::string stages = R"("stages": [{"name": "s", "kernel": {"type": "spin", "us": 1}}])";
  const auto pipeline = [&](const std::string& members) {
    return with_pipeline("{" + members + stages + "}");
  };
  expect_errors(
      pipeline, "/pipelines/0",
      {{R"("items": 1, )", "", "missing required field 'name'"},
       {R"("name": "", "items": 1, )", "/name", "must not be empty"},
       {R"("name": "p", )", "", "missing required field 'items'"},
       {R"("name": "p", "items": 0, )", "/items", "must be positive, got 0"},
       {R"("name": "p", "items": 2.5, )", "/items", "expected an integer, got 2.5"},
       {R"("name": "p", "items": 100001, )", "/items", "must be at most 100000, got 100001"},
       {R"("name": "p", "items": 1, "in_flight": 0, )", "/in_flight", "must be positive, got 0"},
       {R"("name": "p", "items": 1, "in_flight": 5000, )", "/in_flight",
        "must be at most 4096, got 5000"},
       {R"("name": "p", "items": 1, "arrive_ms": -2, )", "/arrive_ms",
        "must be non-negative, got -2"},
       {R"("name": "p", "items": 1, "component": "gpu", )", "/component",
        "unknown component 'gpu' (declared: c)"},
       {R"("name": "p", "items": 1, "priority": "asap", )", "/priority",
        "unknown priority 'asap' (allowed: critical, high, medium, low)"},
       {R"("name": "p", "items": 1, "deadline_ms": 5, )", "/deadline_ms",
        "pipelines have no deadline; only operations do"},
       {R"("name": "p", "items": 1, "item": 1, )", "/item",
        "unknown key 'item' (did you mean 'items'?)"}});
  expect_error(with_ops(k_op, R"(, "pipelines": {})"), "/pipelines",
               "expected an array, got an object");
  expect_error(with_pipeline("3"), "/pipelines/0", "expected an object, got a number");
  expect_error(with_pipeline(R"({"name": "p", "items": 1})"), "/pipelines/0",
               "missing required field 'stages'");
  const std::string p = R"({"name": "p", "items": 1, )" + stages + "}";
  expect_error(with_pipeline(p + ", " + p), "/pipelines/1/name",
               "duplicate pipeline name 'p' (also /pipelines/0)");
  EXPECT_TRUE(parse(with_ops(k_op, R"(, "pipelines": [])")).pipelines.empty());
}

TEST(ScheduledFormatErrors, PipelineStages) {
  const std::string spin = R"("kernel": {"type": "spin", "us": 1})";
  const auto stage = [&](const std::string& members) {
    return with_pipeline(R"({"name": "p", "items": 1, "stages": [{)" + members + "}]}");
  };
  expect_errors(
      stage, "/pipelines/0/stages/0",
      {{spin, "", "missing required field 'name'"},
       {R"("name": "s")", "", "missing required field 'kernel'"},
       {R"("name": "s", "parallel": "yes", )" + spin, "/parallel",
        "expected a boolean, got a string"},
       {R"("name": "s", "deadline_ms": 3, )" + spin, "/deadline_ms",
        "pipeline stages have no deadline; only operations do"},
       {R"("name": "s", "priority": "low", )" + spin, "/priority",
        "unknown key 'priority' (allowed: name, kernel, parallel)"},
       {R"("name": "s", "kernel": {"type": "spin", "us": -1})", "/kernel/us",
        "must be positive, got -1"},
       {R"("name": "s", "kernel": {"type": "spin", "us": 10, "checkpoint_us": 5})",
        "/kernel/checkpoint_us",
        "pipeline stages run to completion and cannot pause; checkpoints are for operations"}});
  expect_error(stage(R"("name": "s", )" + spin + R"(}, {"name": "s", )" + spin),
               "/pipelines/0/stages/1/name",
               "duplicate stage name 's' (also /pipelines/0/stages/0)");
  expect_error(with_pipeline(R"({"name": "p", "items": 1, "stages": []})"), "/pipelines/0/stages",
               "must list at least one stage");
}

}  // namespace
}  // namespace neat
