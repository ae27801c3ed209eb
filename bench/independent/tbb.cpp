// independent/tbb: k_independent_tasks continue_nodes with empty bodies, no edges; a run
// try_puts to every node from the calling thread, then wait_for_all. (Feeding them through one
// broadcast_node, or putting from inside a task_arena, measured no faster with oneTBB 2021.8.)
#include <memory>

#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/tbb_flow.hpp"

namespace neat::bench {
namespace {

void independent_tbb(benchmark::State& state) {
  auto& flow = cached<FlowGraph>("independent/tbb", [] {
    auto made = std::make_shared<FlowGraph>();
    for (std::size_t i = 0; i < k_independent_tasks; ++i) {
      made->add(empty_body);
      made->sources.push_back(i);
    }
    return made;
  });
  if (!check_shape(state, flow.nodes.size(), flow.edge_count, k_independent_tasks, 0)) return;
  auto limit = limit_tbb(workers_arg(state));
  timed_loop(state, k_independent_tasks, [&] { flow.run(); });
}

NEAT_BENCH("independent", "tbb", independent_tbb);

}  // namespace
}  // namespace neat::bench
