// fork_join/tbb: the same DAG as fork_join/neat (common/shapes.hpp) as continue_nodes; a run
// puts to the root fork node.
#include <memory>

#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/tbb_flow.hpp"

namespace neat::bench {
namespace {

std::shared_ptr<FlowGraph> make_fork_join_flow() {
  using namespace fork_join;
  auto made = std::make_shared<FlowGraph>();
  for (std::size_t i = 0; i < k_tasks; ++i) made->add(empty_body);
  for (std::uint32_t k = 0; k < k_internal_nodes; ++k) {
    for (std::uint32_t c : {2 * k + 1, 2 * k + 2}) {
      made->edge(k, c);
      made->edge(join_input(c), join_task(k));
    }
  }
  made->sources = {0};
  return made;
}

void fork_join_tbb(benchmark::State& state) {
  auto& flow = cached<FlowGraph>("fork_join/tbb", make_fork_join_flow);
  if (!check_shape(state, flow.nodes.size(), flow.edge_count, fork_join::k_tasks,
                   fork_join::k_edges))
    return;
  auto limit = limit_tbb(workers_arg(state));
  timed_loop(state, fork_join::k_tasks, [&] { flow.run(); });
}

NEAT_BENCH("fork_join", "tbb", fork_join_tbb);

}  // namespace
}  // namespace neat::bench
