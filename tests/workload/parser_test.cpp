// parse_workload(): what a valid file produces. Errors are in parser_errors_test.cpp.
#include <gtest/gtest.h>

#include "neat/workload/workload.hpp"

namespace neat {
namespace {

Workload parse(std::string_view text) {
  return parse_workload(text, "t.json");
}

TEST(WorkloadParser, MinimalFileGetsDefaults) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "spin", "us": 10}}]})");
  EXPECT_EQ(w.name, "w");
  EXPECT_EQ(w.description, "");
  EXPECT_EQ(w.source, "t.json");
  EXPECT_TRUE(w.components.empty());
  EXPECT_TRUE(w.data.empty());
  ASSERT_EQ(w.operations.size(), 1u);
  const OperationSpec& a = w.operations[0];
  EXPECT_EQ(a.name, "a");
  EXPECT_EQ(a.component, "");
  EXPECT_EQ(a.priority, ExecutionPriority::medium);
  EXPECT_EQ(a.kernel, (KernelSpec{.type = KernelType::spin, .us = 10.0}));
  EXPECT_EQ(a.kernel.spin_mode, SpinMode::work);
  EXPECT_FALSE(a.cost_hint_us.has_value());
  EXPECT_EQ(a.memory_bytes, 0u);
  EXPECT_EQ(a.device, DeviceAffinity::any);
}

TEST(WorkloadParser, ReadsEveryField) {
  const Workload w = parse(R"({
    "$schema": "schema.json", "name": "w", "description": "about it",
    "components": [{"name": "enc", "priority": "high", "importance": 0.75}, {"name": "dec"}],
    "data": ["x", "y"],
    "operations": [
      {"name": "a", "component": "enc", "kernel": {"type": "gemm", "m": 2, "n": 3, "k": 4},
       "writes": ["x"], "cost_hint_us": 42.5, "memory_bytes": 4096, "device": "cuda"},
      {"name": "b", "component": "dec", "priority": "critical", "after": ["a"],
       "kernel": {"type": "spin", "us": 7.5, "mode": "deadline"}, "reads": ["x"], "writes": ["y"]},
      {"name": "c", "component": "enc", "priority": "low", "kernel": {"type": "sleep", "us": 3},
       "read_writes": ["y"]}
    ]})");
  EXPECT_EQ(w.description, "about it");
  ASSERT_EQ(w.components.size(), 2u);
  EXPECT_EQ(w.components[0],
            (ComponentSpec{"enc", ExecutionPriority::high, 0.75, std::nullopt, DeviceAffinity::any}));
  EXPECT_EQ(w.components[1], (ComponentSpec{"dec", ExecutionPriority::medium, std::nullopt,
                                            std::nullopt, DeviceAffinity::any}));
  EXPECT_EQ(w.data, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(w.operations.size(), 3u);
  const OperationSpec& a = w.operations[0];
  EXPECT_EQ(a.component, "enc");
  EXPECT_EQ(a.priority, ExecutionPriority::high);  // the component's
  EXPECT_EQ(a.kernel, (KernelSpec{.type = KernelType::gemm, .m = 2, .n = 3, .k = 4}));
  EXPECT_EQ(a.writes, (std::vector<std::string>{"x"}));
  EXPECT_EQ(a.cost_hint_us, 42.5);
  EXPECT_EQ(a.memory_bytes, 4096u);
  EXPECT_EQ(a.device, DeviceAffinity::cuda);
  const OperationSpec& b = w.operations[1];
  EXPECT_EQ(b.priority, ExecutionPriority::critical);  // its own beats the component's
  EXPECT_EQ(b.after, (std::vector<std::string>{"a"}));
  EXPECT_EQ(b.kernel.type, KernelType::spin);
  EXPECT_EQ(b.kernel.us, 7.5);
  EXPECT_EQ(b.kernel.spin_mode, SpinMode::deadline);
  EXPECT_EQ(b.reads, (std::vector<std::string>{"x"}));
  const OperationSpec& c = w.operations[2];
  EXPECT_EQ(c.priority, ExecutionPriority::low);
  EXPECT_EQ(c.kernel, (KernelSpec{.type = KernelType::sleep, .us = 3.0}));
  EXPECT_EQ(c.read_writes, (std::vector<std::string>{"y"}));
}

TEST(WorkloadParser, ImplicitDataInOrderOfFirstMention) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "spin", "us": 1}, "reads": ["r"], "writes": ["w1"]},
      {"name": "b", "kernel": {"type": "spin", "us": 1}, "read_writes": ["rw", "r"],
       "writes": ["w2"]}]})");
  EXPECT_EQ(w.data, (std::vector<std::string>{"r", "w1", "w2", "rw"}));
}

TEST(WorkloadParser, AfterMayNameALaterOperation) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "spin", "us": 1}, "after": ["b"]},
      {"name": "b", "kernel": {"type": "spin", "us": 1}}]})");
  EXPECT_EQ(w.operations[0].after, (std::vector<std::string>{"b"}));
}

TEST(WorkloadParser, RepeatStampsOutNamedCopies) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "split", "kernel": {"type": "spin", "us": 1}},
      {"name": "work", "repeat": 3, "after": ["split"], "kernel": {"type": "spin", "us": 2},
       "reads": ["x"]},
      {"name": "join", "after": ["work"], "kernel": {"type": "spin", "us": 1}},
      {"name": "tail", "after": ["work#1", "join", "work#1"], "kernel": {"type": "spin", "us": 1}}
    ]})");
  ASSERT_EQ(w.operations.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    const OperationSpec& copy = w.operations[1 + i];
    EXPECT_EQ(copy.name, "work#" + std::to_string(i));
    EXPECT_EQ(copy.after, (std::vector<std::string>{"split"}));
    EXPECT_EQ(copy.reads, (std::vector<std::string>{"x"}));
    EXPECT_EQ(copy.kernel.us, 2.0);
  }
  // The base name stands for every copy; a copy's own name for that copy; no duplicates.
  EXPECT_EQ(w.operations[4].after, (std::vector<std::string>{"work#0", "work#1", "work#2"}));
  EXPECT_EQ(w.operations[5].after, (std::vector<std::string>{"work#1", "join"}));
}

TEST(WorkloadParser, AcceptsIntegralNumbersWrittenWithAFraction) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "gemm", "m": 64.0, "n": 1, "k": 1e1},
       "memory_bytes": 0}]})");
  EXPECT_EQ(w.operations[0].kernel.m, 64u);
  EXPECT_EQ(w.operations[0].kernel.k, 10u);
}

TEST(WorkloadParser, EmptyListsAreFine) {
  const Workload w = parse(R"({"name": "w", "components": [], "data": [], "operations": [
      {"name": "a", "kernel": {"type": "sleep", "us": 1}, "after": [], "reads": []}]})");
  EXPECT_TRUE(w.components.empty());
  EXPECT_TRUE(w.data.empty());
  EXPECT_TRUE(w.operations[0].after.empty());
}

TEST(WorkloadParser, LoadsAFileAndNamesItAsSource) {
  const std::string path = NEAT_SOURCE_DIR "/examples/fork_join.json";
  const Workload w = load_workload(path);
  EXPECT_EQ(w.source, path);
  EXPECT_EQ(w.name, "fork_join");
  EXPECT_EQ(w.data, (std::vector<std::string>{"input", "output"}));
  EXPECT_EQ(w.operations.size(), 10u);
}

TEST(WorkloadParser, FailKernelHasADefaultMessage) {
  const Workload w = parse(R"({"name": "w", "operations": [
      {"name": "a", "kernel": {"type": "fail"}},
      {"name": "b", "kernel": {"type": "fail", "message": "disk on fire"}}]})");
  EXPECT_EQ(w.operations[0].kernel.type, KernelType::fail);
  EXPECT_EQ(w.operations[0].kernel.message, "injected failure");
  EXPECT_EQ(w.operations[1].kernel.message, "disk on fire");
}

TEST(KernelNames, RoundTrip) {
  for (KernelType t : {KernelType::spin, KernelType::gemm, KernelType::sleep, KernelType::fail}) {
    EXPECT_EQ(parse_kernel_type(to_string(t)), t);
  }
  for (SpinMode m : {SpinMode::work, SpinMode::deadline}) {
    EXPECT_EQ(parse_spin_mode(to_string(m)), m);
  }
  EXPECT_EQ(parse_kernel_type("Spin"), std::nullopt);
  EXPECT_EQ(parse_spin_mode("busy"), std::nullopt);
}

}  // namespace
}  // namespace neat
