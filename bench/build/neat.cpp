// build/neat: construct k_build_operations empty operations chained by edges (op i precedes
// op i+1), timing only the construction. Per operation: ns (ns_per_task), live heap bytes
// counted by the binary's operator new (bytes_per_op) and allocations, compared with
// graph.memory_bytes(); then compile() (what the first run does) is timed and counted too.
// build/neat_reserve does the same after graph.reserve(operations, edges).
#include <memory>

#include "build_counters.hpp"
#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"

namespace neat::bench {
namespace {

std::unique_ptr<OperationDependencyGraph> build_chain_graph(bool reserve) {
  auto g = std::make_unique<OperationDependencyGraph>();
  if (reserve) g->reserve(k_build_operations, k_build_operations - 1);
  Operation previous = g->emplace([] { empty_task_body(); });
  for (std::size_t i = 1; i < k_build_operations; ++i) {
    Operation next = g->emplace([] { empty_task_body(); });
    previous.precede(next);
    previous = next;
  }
  return g;
}

void build_neat_graph(benchmark::State& state, bool reserve) {
  BuildTally tally;
  tally.operations = k_build_operations;
  double compile_seconds = 0.0;
  AllocTally compiled;
  std::size_t memory_built = 0;
  std::size_t memory_compiled = 0;
  for (auto _ : state) {
    AllocWindow window;
    const auto start = Clock::now();
    auto graph = build_chain_graph(reserve);
    const auto built = Clock::now();
    tally.built = window.tally();
    memory_built = graph->memory_bytes();
    const auto compile_start = Clock::now();
    graph->compile();
    compile_seconds += seconds_between(compile_start, Clock::now());
    compiled = window.tally();
    memory_compiled = graph->memory_bytes();
    state.SetIterationTime(seconds_between(start, built));
    tally.build_seconds += seconds_between(start, built);
  }  // the graph is freed here, untimed
  tally.set_counters(state);
  const double n = static_cast<double>(k_build_operations);
  const double it = static_cast<double>(state.iterations());
  if (it <= 0) return;
  state.counters["memory_bytes_per_op"] = benchmark::Counter(static_cast<double>(memory_built) / n);
  state.counters["compile_ns_per_op"] = benchmark::Counter(compile_seconds * 1e9 / (it * n));
  state.counters["compiled_bytes_per_op"] =
      benchmark::Counter(static_cast<double>(compiled.live_bytes) / n);
  state.counters["compiled_memory_bytes_per_op"] =
      benchmark::Counter(static_cast<double>(memory_compiled) / n);
}

void build_neat(benchmark::State& state) {
  build_neat_graph(state, false);
}
void build_neat_reserve(benchmark::State& state) {
  build_neat_graph(state, true);
}

NEAT_BENCH_NO_WORKERS("build", "neat", build_neat);
NEAT_BENCH_NO_WORKERS("build", "neat_reserve", build_neat_reserve);

}  // namespace
}  // namespace neat::bench
