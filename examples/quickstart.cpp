// Quick start: a small multi-component graph with explicit and inferred dependencies,
// nested parallelism, and error reporting.
#include <neat/neat.hpp>

#include <cstdio>
#include <numeric>
#include <vector>

int main() {
  neat::ParallelExecutor executor;  // one worker per usable CPU
  neat::OperationDependencyGraph graph;

  std::vector<float> bytes(1 << 16, 1.0f);
  std::vector<float> hidden(bytes.size());
  float memory = 0.0f;

  auto input = graph.data("input");
  auto state = graph.data("hidden");
  graph.add({.name = "load", .component = "blt_encoder", .priority = neat::ExecutionPriority::high},
            [&] { std::iota(bytes.begin(), bytes.end(), 0.0f); })
      .writes(input);
  graph.add({.name = "encode", .component = "blt_encoder"},
            [&](neat::OpContext& ctx) {
              ctx.parallel_for(0, bytes.size(), [&](std::size_t i) { hidden[i] = bytes[i] * 0.5f; });
            })
      .reads(input)
      .writes(state);
  graph.add({.name = "recall", .component = "titans_memory"},
            [&] { memory = std::accumulate(hidden.begin(), hidden.end(), 0.0f); })
      .reads(state);

  neat::RunHandle run = executor.run(graph);
  run.wait();
  std::printf("ran %zu operations on %zu workers in %.3f ms; memory = %.1f\n", run.size(),
              executor.worker_count(), static_cast<double>(run.makespan().count()) / 1e6,
              static_cast<double>(memory));
  return memory > 0.0f ? 0 : 1;
}
