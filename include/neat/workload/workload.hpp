// Workload files: a JSON description of a model's components and operations (with their
// kernels, dependencies and data accesses), the built-in NEAT reference workload, building an
// OperationDependencyGraph from a workload, and the sequential baseline schedule. Arrival times,
// deadlines, kernels with checkpoints, pipelines and request streams are for scheduler runs
// (scheduled_run.hpp); a graph run ignores them. The format is described in
// docs/workload-format.md and docs/workload.schema.json.
//
// Thread-safety: parsing and instantiating are pure functions of their arguments (kernel
// calibration inside instantiate() is thread-safe). run_sequential() runs on the calling thread
// and blocks until every operation ran; the graph must not run on an executor at the same time.
//
//   neat::Workload w = neat::load_workload("examples/fork_join.json");  // throws WorkloadError
//   neat::OperationDependencyGraph graph;
//   neat::BuiltWorkload built = neat::instantiate(w, graph);  // throws CycleError
//   neat::ParallelExecutor executor;
//   executor.run(graph).wait();
//   neat::SequentialRun baseline = neat::run_sequential(built);  // same kernels, one thread
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neat/common/error.hpp"
#include "neat/common/types.hpp"
#include "neat/core/graph.hpp"
#include "neat/workload/kernels.hpp"
#include "neat/workload/request_stream.hpp"

namespace neat {

class Observer;

/// A malformed workload. what() is "<source>: <json path>: <problem>", e.g.
/// "w.json: /operations/3/kernel/m: must be a positive integer (got -4)". The path is empty
/// (and left out of what()) for errors about the whole file: not found, JSON syntax.
class WorkloadError : public Error {
 public:
  WorkloadError(std::string source, std::string json_path, std::string problem);
  [[nodiscard]] const std::string& source() const noexcept { return source_; }
  [[nodiscard]] const std::string& json_path() const noexcept { return json_path_; }
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }

 private:
  std::string source_;
  std::string json_path_;
  std::string problem_;
};

struct ComponentSpec {
  std::string name;
  ExecutionPriority priority = ExecutionPriority::medium;  // default for its operations
  std::optional<double> importance;                        // >= 0; larger = more important
  /// Its share of the memory budget; when any component has one, scheduled runs admit
  /// operations' memory_bytes through a MemoryBudgetManager (see run_scheduled()).
  std::optional<std::uint64_t> memory_budget_bytes;
  DeviceAffinity device = DeviceAffinity::any;
  friend bool operator==(const ComponentSpec&, const ComponentSpec&) = default;
};

/// One operation. After parsing, `repeat` copies have been expanded (named "name#i") and
/// `after` names exactly the operations it waits for. `arrive_ms` and `deadline_ms` are used by
/// run_scheduled() (scheduled_run.hpp); a graph run (instantiate()) ignores them.
struct OperationSpec {
  std::string name{};
  std::string component{};  // empty: none
  ExecutionPriority priority = ExecutionPriority::medium;
  KernelSpec kernel{};
  std::vector<std::string> after{};
  std::vector<std::string> reads{};
  std::vector<std::string> writes{};
  std::vector<std::string> read_writes{};
  std::optional<double> cost_hint_us{};  // overrides the kernel's estimate
  std::uint64_t memory_bytes = 0;
  DeviceAffinity device = DeviceAffinity::any;
  double arrive_ms = 0.0;               // submitted this long after the run starts (>= 0)
  std::optional<double> deadline_ms{};  // > 0: must be done this long after it arrived
  friend bool operator==(const OperationSpec&, const OperationSpec&) = default;
};

/// One stage of a PipelineSpec: its kernel runs once per item.
struct PipelineStageSpec {
  std::string name{};
  KernelSpec kernel{};
  bool parallel = false;  // false: one item at a time, in order (StageKind::serial)
  friend bool operator==(const PipelineStageSpec&, const PipelineStageSpec&) = default;
};

/// A stream of `items` items through `stages`, run by run_scheduled() on an ExecutionPipeline
/// beside the operations. A graph run ignores pipelines.
struct PipelineSpec {
  std::string name{};
  std::string component{};  // empty: the pipeline's name is the component of its operations
  ExecutionPriority priority = ExecutionPriority::medium;  // of the source and every stage
  std::uint64_t items = 0;
  std::uint64_t in_flight = 0;  // 0: twice the executor's worker count
  double arrive_ms = 0.0;       // the stream starts this long after the run starts
  std::vector<PipelineStageSpec> stages{};
  friend bool operator==(const PipelineSpec&, const PipelineSpec&) = default;
};

struct Workload {
  std::string name;
  std::string description;
  std::string source;  // file name, or "<built-in>"
  std::vector<ComponentSpec> components;
  /// Data handle names: those of the file's "data" list, or else every name the operations
  /// mention, in order of first mention.
  std::vector<std::string> data;
  std::vector<OperationSpec> operations;
  std::vector<PipelineSpec> pipelines;
  std::vector<RequestStreamSpec> request_streams;  // scheduler runs only (request_stream.hpp)
};

/// Parse and validate workload JSON. `source_name` names it in errors. Throws WorkloadError.
[[nodiscard]] Workload parse_workload(std::string_view json_text, std::string_view source_name);
/// Read and parse a file. Throws WorkloadError (also when the file cannot be read).
[[nodiscard]] Workload load_workload(const std::string& path);
/// The built-in NEAT reference workload (the same as examples/neat_default.json).
[[nodiscard]] Workload default_workload();
/// The JSON text of default_workload().
[[nodiscard]] std::string_view default_workload_json() noexcept;

/// What instantiate() built: the graph's ids and kernels, in the workload's operation order.
struct BuiltWorkload {
  OperationDependencyGraph* graph = nullptr;
  std::vector<OperationId> operations;         // operations[i] runs workload.operations[i]
  std::vector<std::function<void()>> kernels;  // the same kernels the graph's operations call
  std::vector<double> cost_us;                 // cost hint of each operation
  double total_work_us = 0.0;                  // sum of cost_us
};

/// Add every operation of `workload` to `graph` in file order (kernels bound, matrices
/// allocated, data accesses and `after` edges declared), then validate it. Kernels with
/// checkpoints run without pausing; arrivals, deadlines and pipelines are left out. Throws CycleError
/// naming a cycle; the graph then holds the operations but must not be run.
[[nodiscard]] BuiltWorkload instantiate(const Workload& workload, OperationDependencyGraph& graph);

/// Result of the sequential baseline.
struct SequentialRun {
  std::vector<OperationId> order;                   // execution order (topological)
  std::vector<std::chrono::nanoseconds> durations;  // per workload operation index
  std::chrono::nanoseconds makespan{0};
};

/// The non-optimised baseline (DESIGN.md §4): every operation one after another on the calling
/// thread, in graph.topological_order(), timed one by one. `observer` (may be null) receives the
/// same events an executor run gives, as worker 0 of 1. The first operation that throws ends the
/// run: the rest are reported cancelled and OperationFailed is thrown.
SequentialRun run_sequential(const BuiltWorkload& built, Observer* observer = nullptr);

}  // namespace neat
