// The random_dag workload's shared parts: a seeded layered random DAG, a recorder that every
// implementation (neat, tbb, omp) calls from its tasks, and the makespan lower bound.
//
// DAG: `tasks` tasks in layers of `width` (task i is in layer i / width). Every task past the
// first layer has between min_preds and max_preds distinct predecessors, drawn uniformly from
// the previous layer with a fixed-seed mt19937_64 (its output is fixed by the standard, and the
// draws use plain modulo, so the DAG is the same on every platform).
//
// Lower bound on P workers = max(critical path, total work / P). Both are computed twice: from
// the nominal task duration and from the durations each task measured in that very run; the
// `efficiency` counter uses the measured ones (`efficiency_nominal` the nominal ones).
//
// Thread-safety: DagRecorder::run_task may be called concurrently for different tasks; the rest
// from one thread between runs.
//
//   const auto dag = neat::bench::make_layered_dag({});
//   neat::bench::DagRecorder recorder(dag);
//   ... each task i calls recorder.run_task(i) ...
//   neat::bench::dag_loop(state, recorder, [&] { run_graph_once(); });
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "timing.hpp"

namespace neat::bench {

struct DagParams {
  std::size_t tasks = 2000;
  std::size_t width = 16;
  std::uint32_t min_preds = 1;
  std::uint32_t max_preds = 3;
  std::uint64_t seed = 0x6e656174'62656e63ULL;  // "neatbenc"
  double task_us = 50.0;                        // nominal busy-spin time of each task
};

struct LayeredDag {
  DagParams params;
  std::vector<std::vector<std::uint32_t>> predecessors;  // per task: sorted, previous layer
  [[nodiscard]] std::size_t size() const noexcept { return predecessors.size(); }
  [[nodiscard]] std::size_t edge_count() const noexcept;
};

/// Build the DAG described above. Deterministic for a given `params`.
LayeredDag make_layered_dag(const DagParams& params);

struct DagBound {
  double critical_path_us = 0.0;
  double total_work_us = 0.0;
  double lower_bound_us = 0.0;  // max(critical path, total work / workers)
};

/// Lower bound of `dag` on `workers` workers given each task's duration.
DagBound lower_bound(const LayeredDag& dag, std::span<const double> durations_us, int workers);

/// Records when each task ran; checks that the run respected every edge.
class DagRecorder {
 public:
  explicit DagRecorder(const LayeredDag& dag);

  /// The body of task `i`: spin for the nominal duration, recording start and end.
  void run_task(std::uint32_t i) noexcept;
  /// Forget the previous run.
  void reset() noexcept;
  /// Empty when every task ran once and after all of its predecessors ended; else the problem.
  [[nodiscard]] std::string check() const;
  /// Measured duration of each task of the last run, in microseconds.
  [[nodiscard]] std::vector<double> durations_us() const;

  [[nodiscard]] const LayeredDag& dag() const noexcept { return dag_; }

 private:
  const LayeredDag& dag_;
  std::vector<std::int64_t> start_ns_;
  std::vector<std::int64_t> end_ns_;
};

/// Timed loop of the random_dag benchmarks: one warm-up run, then per iteration one timed run
/// followed by an untimed check and bound computation. Sets ns_per_task, tasks, makespan_ms,
/// lower_bound_ms, efficiency (measured durations), their *_nominal twins, critical_path_ms and
/// total_work_ms. Stops with SkipWithError if a run broke an edge.
void dag_loop(benchmark::State& state, DagRecorder& recorder, void (*run_once)(void*),
              void* context);

template <class Run>
void dag_loop(benchmark::State& state, DagRecorder& recorder, Run& run_once) {
  dag_loop(
      state, recorder, [](void* c) { (*static_cast<Run*>(c))(); }, &run_once);
}

}  // namespace neat::bench
