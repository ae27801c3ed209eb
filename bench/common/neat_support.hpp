// neat side of the benchmarks: the executor for one benchmark call and a checked first run.
//
// Thread-safety: main thread only.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>

#include "neat/core/executor.hpp"
#include "neat/core/graph.hpp"
#include "timing.hpp"

namespace neat::bench {

inline ExecutorOptions executor_options(const benchmark::State& state) {
  ExecutorOptions options;
  options.workers = static_cast<std::size_t>(workers_arg(state));
  return options;
}

/// Runs `graph` once untimed (compiles it, starts the workers) and checks that every operation
/// completed; on a problem the benchmark is skipped with the reason and false is returned.
inline bool checked_first_run(benchmark::State& state, ParallelExecutor& executor,
                              OperationDependencyGraph& graph) {
  RunHandle run = executor.run(graph);
  run.wait();
  const auto not_run = run.not_run();
  if (run.size() != graph.size() || !not_run.empty()) {
    const std::string problem = "neat: " + std::to_string(not_run.size()) + " of " +
                                std::to_string(graph.size()) + " operations did not run";
    state.SkipWithError(problem.c_str());
    return false;
  }
  return true;
}

/// The timed loop of every neat scheduling benchmark: check the graph's shape, then time
/// executor.run(graph).wait() only.
inline void time_neat_runs(benchmark::State& state, OperationDependencyGraph& graph,
                           std::size_t tasks, std::size_t edges) {
  if (!check_shape(state, graph.size(), graph.edge_count(), tasks, edges)) return;
  ParallelExecutor executor(executor_options(state));
  if (!checked_first_run(state, executor, graph)) return;
  timed_loop(
      state, tasks, [&] { executor.run(graph).wait(); }, /*warm_up=*/false);
}

}  // namespace neat::bench
