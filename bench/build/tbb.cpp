// build/tbb: construct a flow graph of k_build_operations continue_nodes (in a deque) chained by
// make_edge, timing only the construction; heap bytes as counted by the binary's operator new
// (oneTBB's flow-graph nodes and their successor lists are allocated through it).
#include <memory>

#include "build_counters.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/tbb_flow.hpp"
#include "common/timing.hpp"

namespace neat::bench {
namespace {

std::unique_ptr<FlowGraph> build_chain_flow() {
  auto flow = std::make_unique<FlowGraph>();
  flow->add(empty_body);
  for (std::size_t i = 1; i < k_build_operations; ++i) {
    flow->add(empty_body);
    flow->edge(i - 1, i);
  }
  return flow;
}

void build_tbb(benchmark::State& state) {
  BuildTally tally;
  tally.operations = k_build_operations;
  for (auto _ : state) {
    AllocWindow window;
    const auto start = Clock::now();
    auto flow = build_chain_flow();
    const auto built = Clock::now();
    tally.built = window.tally();
    state.SetIterationTime(seconds_between(start, built));
    tally.build_seconds += seconds_between(start, built);
  }
  tally.set_counters(state);
}

NEAT_BENCH_NO_WORKERS("build", "tbb", build_tbb);

}  // namespace
}  // namespace neat::bench
