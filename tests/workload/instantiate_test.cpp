// instantiate() wires the graph the file describes; run_sequential() runs it on one thread in
// topological order with the observer events of a run.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "neat/trace/observer.hpp"
#include "neat/workload/workload.hpp"

namespace neat {
namespace {

Workload parse(std::string_view text) {
  return parse_workload(text, "t.json");
}

std::vector<Edge> sorted_edges(const OperationDependencyGraph& g) {
  std::vector<Edge> edges(g.edges().begin(), g.edges().end());
  std::sort(edges.begin(), edges.end(),
            [](Edge a, Edge b) { return a.from != b.from ? a.from < b.from : a.to < b.to; });
  return edges;
}

std::vector<std::uint32_t> indices(const std::vector<OperationId>& ids) {
  std::vector<std::uint32_t> out;
  for (OperationId id : ids) out.push_back(id.index);
  return out;
}

TEST(Instantiate, DataAccessesInferEdgesInFileOrder) {
  // a writes x; b and c read it (RAW); d writes it after both readers (WAR); e reads and
  // writes it after d (RAW).
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "spin", "us": 1}, "writes": ["x"]},
      {"name": "b", "kernel": {"type": "spin", "us": 1}, "reads": ["x"]},
      {"name": "c", "kernel": {"type": "spin", "us": 1}, "reads": ["x"]},
      {"name": "d", "kernel": {"type": "spin", "us": 1}, "writes": ["x"]},
      {"name": "e", "kernel": {"type": "spin", "us": 1}, "read_writes": ["x"]}]})");
  OperationDependencyGraph g;
  const BuiltWorkload built = instantiate(w, g);
  EXPECT_EQ(built.graph, &g);
  EXPECT_EQ(indices(built.operations), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(g.data_count(), 1u);
  EXPECT_EQ(g.data_name(DataHandle{0}), "x");
  EXPECT_EQ(sorted_edges(g), (std::vector<Edge>{{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}}));
  EXPECT_EQ(indices(g.topological_order()), (std::vector<std::uint32_t>{0, 1, 2, 3, 4}));
}

TEST(Instantiate, AfterEdgesMayPointBackwardsInTheFile) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "late", "kernel": {"type": "spin", "us": 1}, "after": ["early"]},
      {"name": "early", "kernel": {"type": "spin", "us": 1}},
      {"name": "free", "kernel": {"type": "spin", "us": 1}}]})");
  OperationDependencyGraph g;
  (void)instantiate(w, g);
  EXPECT_EQ(sorted_edges(g), (std::vector<Edge>{{1, 0}}));
  EXPECT_EQ(indices(g.topological_order()), (std::vector<std::uint32_t>{1, 0, 2}));
}

TEST(Instantiate, RepeatedOperationsFanOutAndJoin) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "split", "kernel": {"type": "spin", "us": 1}},
      {"name": "work", "repeat": 3, "after": ["split"], "kernel": {"type": "spin", "us": 1}},
      {"name": "join", "after": ["work"], "kernel": {"type": "spin", "us": 1}}]})");
  OperationDependencyGraph g;
  (void)instantiate(w, g);
  EXPECT_EQ(sorted_edges(g), (std::vector<Edge>{{0, 1}, {0, 2}, {0, 3}, {1, 4}, {2, 4}, {3, 4}}));
  EXPECT_EQ(g.levels(), (std::vector<std::uint32_t>{0, 1, 1, 1, 2}));
}

TEST(Instantiate, DescriptorsAndCosts) {
  const Workload w = parse(R"({"name": "w",
    "components": [{"name": "enc", "priority": "high"}],
    "operations": [
      {"name": "g", "component": "enc", "kernel": {"type": "gemm", "m": 16, "n": 8, "k": 4},
       "memory_bytes": 512, "device": "cpu"},
      {"name": "s", "priority": "low", "kernel": {"type": "sleep", "us": 20}},
      {"name": "o", "kernel": {"type": "spin", "us": 5}, "cost_hint_us": 99}]})");
  OperationDependencyGraph g;
  const BuiltWorkload built = instantiate(w, g);
  ASSERT_EQ(g.size(), 3u);
  const OperationDescriptor d0 = g.descriptor(OperationId{0});
  EXPECT_EQ(d0.name, "g");
  EXPECT_EQ(d0.component, "enc");
  EXPECT_EQ(d0.priority, ExecutionPriority::high);
  EXPECT_EQ(d0.memory_bytes, 512u);
  EXPECT_EQ(d0.device, DeviceAffinity::cpu);
  const double gemm_us = 2.0 * 16 * 8 * 4 / kernels::gemm_flops_per_us();
  EXPECT_NEAR(d0.cost_hint_us, gemm_us, gemm_us * 1e-6);  // stored as float by the graph
  EXPECT_EQ(g.priority(OperationId{1}), ExecutionPriority::low);
  EXPECT_EQ(g.descriptor(OperationId{1}).cost_hint_us, 20.0);
  EXPECT_EQ(g.descriptor(OperationId{2}).cost_hint_us, 99.0);  // override beats the estimate
  EXPECT_EQ(built.cost_us, (std::vector<double>{gemm_us, 20.0, 99.0}));
  EXPECT_DOUBLE_EQ(built.total_work_us, gemm_us + 20.0 + 99.0);
  ASSERT_EQ(built.kernels.size(), 3u);
  for (const auto& kernel : built.kernels) kernel();  // each is callable
}

TEST(Instantiate, AddsAfterOperationsAlreadyInTheGraph) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "spin", "us": 1}, "writes": ["x"]},
      {"name": "b", "kernel": {"type": "spin", "us": 1}, "reads": ["x"]}]})");
  OperationDependencyGraph g;
  (void)g.emplace([] {});
  const BuiltWorkload built = instantiate(w, g);
  EXPECT_EQ(indices(built.operations), (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(sorted_edges(g), (std::vector<Edge>{{1, 2}}));
}

TEST(Instantiate, CycleIsReportedByName) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "spin", "us": 1}, "after": ["c"]},
      {"name": "b", "kernel": {"type": "spin", "us": 1}, "after": ["a"]},
      {"name": "c", "kernel": {"type": "spin", "us": 1}, "after": ["b"]},
      {"name": "d", "kernel": {"type": "spin", "us": 1}}]})");
  OperationDependencyGraph g;
  try {
    (void)instantiate(w, g);
    FAIL() << "no CycleError";
  } catch (const CycleError& e) {
    std::vector<std::string> cycle = e.cycle();
    ASSERT_EQ(cycle.size(), 4u);
    EXPECT_EQ(cycle.front(), cycle.back());
    cycle.pop_back();
    std::sort(cycle.begin(), cycle.end());
    EXPECT_EQ(cycle, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_NE(std::string(e.what()).find(" -> "), std::string::npos);
  }
}

TEST(Instantiate, SelfDependencyIsACycle) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "spin", "us": 1}, "after": ["a"]}]})");
  OperationDependencyGraph g;
  EXPECT_THROW((void)instantiate(w, g), CycleError);
}

TEST(Instantiate, HandBuiltWorkloadWithUnknownNamesIsAnError) {
  Workload w;
  w.name = "hand";
  OperationSpec op;
  op.name = "a";
  op.kernel = {.type = KernelType::spin, .us = 1};
  op.reads = {"nowhere"};
  w.operations.push_back(op);
  {
    OperationDependencyGraph g;
    try {
      (void)instantiate(w, g);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), "instantiate: operation 'a' names unknown data 'nowhere'");
    }
  }
  w.operations[0].reads.clear();
  w.operations[0].after = {"ghost"};
  OperationDependencyGraph g;
  try {
    (void)instantiate(w, g);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "instantiate: operation 'a' names unknown operation 'ghost'");
  }
}

// Records every event in the order it arrived (the sequential run has one thread).
class Recorder : public Observer {
 public:
  struct Entry {
    std::string kind;
    std::string name;
    OpStatus status;
    std::size_t worker;
  };
  void on_run_begin(const RunEvent& e) override {
    runs_begun.push_back(e);
    log.push_back({"run_begin", "", OpStatus::pending, e.workers});
  }
  void on_run_end(const RunEvent& e) override {
    runs_ended.push_back(e);
    log.push_back({"run_end", "", OpStatus::pending, e.workers});
  }
  void on_operation_ready(const OperationEvent& e) override { add("ready", e); }
  void on_operation_start(const OperationEvent& e) override { add("start", e); }
  void on_operation_end(const OperationEvent& e) override { add("end", e); }

  std::vector<std::string> names_of(const std::string& kind) const {
    std::vector<std::string> out;
    for (const Entry& e : log) {
      if (e.kind == kind) out.push_back(e.name);
    }
    return out;
  }
  std::size_t position(const std::string& kind, const std::string& name) const {
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (log[i].kind == kind && log[i].name == name) return i;
    }
    return log.size();
  }

  std::vector<Entry> log;
  std::vector<RunEvent> runs_begun;
  std::vector<RunEvent> runs_ended;
  std::vector<std::string> components;

 private:
  void add(const char* kind, const OperationEvent& e) {
    log.push_back({kind, std::string(e.name), e.status, e.worker});
    components.emplace_back(e.component);
  }
};

constexpr std::string_view k_diamond = R"({"name": "w",
    "components": [{"name": "c"}],
    "operations": [
      {"name": "join", "component": "c", "kernel": {"type": "sleep", "us": 300},
       "after": ["left", "right"]},
      {"name": "root", "component": "c", "kernel": {"type": "sleep", "us": 300}},
      {"name": "left", "component": "c", "kernel": {"type": "spin", "us": 300},
       "after": ["root"]},
      {"name": "right", "component": "c", "kernel": {"type": "sleep", "us": 300},
       "after": ["root"]},
      {"name": "alone", "kernel": {"type": "sleep", "us": 300}}]})";

TEST(RunSequential, RunsInTopologicalOrderOnOneThreadTimingEachOperation) {
  const Workload w = parse(k_diamond);
  OperationDependencyGraph g;
  const BuiltWorkload built = instantiate(w, g);
  Recorder recorder;
  const SequentialRun run = run_sequential(built, &recorder);
  EXPECT_EQ(run.order, g.topological_order());
  EXPECT_EQ(indices(run.order), (std::vector<std::uint32_t>{1, 2, 3, 0, 4}));
  EXPECT_EQ(recorder.names_of("start"),
            (std::vector<std::string>{"root", "left", "right", "join", "alone"}));
  EXPECT_EQ(recorder.names_of("end"), recorder.names_of("start"));
  ASSERT_EQ(run.durations.size(), 5u);
  std::chrono::nanoseconds sum{0};
  for (auto d : run.durations) {
    EXPECT_GE(d, std::chrono::microseconds(300) / 3);
    sum += d;
  }
  EXPECT_GE(run.makespan, sum);

  // One run, one worker; starts and ends alternate (nothing overlaps); all on worker 0.
  ASSERT_EQ(recorder.runs_begun.size(), 1u);
  ASSERT_EQ(recorder.runs_ended.size(), 1u);
  EXPECT_EQ(recorder.runs_begun[0].workers, 1u);
  EXPECT_EQ(recorder.runs_begun[0].operations, 5u);
  EXPECT_EQ(recorder.runs_begun[0].run_id, recorder.runs_ended[0].run_id);
  EXPECT_EQ(recorder.log.front().kind, "run_begin");
  EXPECT_EQ(recorder.log.back().kind, "run_end");
  std::string previous;
  for (const auto& e : recorder.log) {
    if (e.kind == "start") {
      EXPECT_NE(previous, "start");
      EXPECT_EQ(e.worker, 0u);
      EXPECT_EQ(e.status, OpStatus::running);
      previous = e.kind;
    } else if (e.kind == "end") {
      EXPECT_EQ(previous, "start");
      EXPECT_EQ(e.status, OpStatus::completed);
      previous = e.kind;
    }
  }
  EXPECT_EQ(recorder.components[0], "c");
}

TEST(RunSequential, ReadyWhenTheLastPredecessorEnded) {
  const Workload w = parse(k_diamond);
  OperationDependencyGraph g;
  const BuiltWorkload built = instantiate(w, g);
  Recorder r;
  (void)run_sequential(built, &r);
  // Sources are ready at run begin (from the calling thread, not a worker).
  EXPECT_LT(r.position("ready", "root"), r.position("start", "root"));
  EXPECT_LT(r.position("ready", "alone"), r.position("start", "root"));
  EXPECT_EQ(r.log[r.position("ready", "root")].worker, k_not_a_worker);
  // Others become ready right after their last predecessor ended.
  EXPECT_GT(r.position("ready", "left"), r.position("end", "root"));
  EXPECT_GT(r.position("ready", "join"), r.position("end", "right"));
  EXPECT_LT(r.position("ready", "join"), r.position("start", "join"));
  EXPECT_EQ(r.log[r.position("ready", "join")].worker, 0u);
  EXPECT_EQ(r.names_of("ready").size(), 5u);
}

TEST(RunSequential, RunsAgainAndWithoutObserver) {
  const Workload w = parse(k_diamond);
  OperationDependencyGraph g;
  const BuiltWorkload built = instantiate(w, g);
  const SequentialRun first = run_sequential(built);
  const SequentialRun second = run_sequential(built);
  EXPECT_EQ(first.order, second.order);
  Recorder a;
  Recorder b;
  (void)run_sequential(built, &a);
  (void)run_sequential(built, &b);
  EXPECT_NE(a.runs_begun[0].run_id, b.runs_begun[0].run_id);
}

TEST(RunSequential, FirstFailureEndsTheRunAndIsRethrownByName) {
  const Workload w = parse(k_diamond);
  OperationDependencyGraph g;
  BuiltWorkload built = instantiate(w, g);
  built.kernels[2] = [] { throw std::runtime_error("left broke"); };  // "left"
  Recorder r;
  try {
    (void)run_sequential(built, &r);
    FAIL() << "no OperationFailed";
  } catch (const OperationFailed& e) {
    EXPECT_EQ(e.operation(), "left");
    EXPECT_EQ(e.component(), "c");
    EXPECT_NE(std::string(e.what()).find("left broke"), std::string::npos);
  }
  // root completed, left failed, the rest cancelled without starting; the run still ended.
  EXPECT_EQ(r.names_of("start"), (std::vector<std::string>{"root", "left"}));
  EXPECT_EQ(r.names_of("end"),
            (std::vector<std::string>{"root", "left", "right", "join", "alone"}));
  std::vector<OpStatus> statuses;
  for (const auto& e : r.log) {
    if (e.kind == "end") statuses.push_back(e.status);
  }
  EXPECT_EQ(statuses,
            (std::vector<OpStatus>{OpStatus::completed, OpStatus::failed, OpStatus::cancelled,
                                   OpStatus::cancelled, OpStatus::cancelled}));
  EXPECT_EQ(r.log.back().kind, "run_end");
}

TEST(RunSequential, GraphMustHoldExactlyTheWorkload) {
  const Workload w = parse(k_diamond);
  OperationDependencyGraph g;
  const BuiltWorkload built = instantiate(w, g);
  (void)g.emplace([] {});
  EXPECT_THROW((void)run_sequential(built), Error);
  EXPECT_THROW((void)run_sequential(BuiltWorkload{}), Error);
}

}  // namespace
}  // namespace neat
