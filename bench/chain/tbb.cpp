// chain/tbb: k_chain_tasks continue_nodes, node i -> node i+1; a run puts to node 0.
#include <memory>

#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/tbb_flow.hpp"

namespace neat::bench {
namespace {

void chain_tbb(benchmark::State& state) {
  auto& flow = cached<FlowGraph>("chain/tbb", [] {
    auto made = std::make_shared<FlowGraph>();
    for (std::size_t i = 0; i < k_chain_tasks; ++i) {
      made->add(empty_body);
      if (i > 0) made->edge(i - 1, i);
    }
    made->sources = {0};
    return made;
  });
  if (!check_shape(state, flow.nodes.size(), flow.edge_count, k_chain_tasks, k_chain_tasks - 1)) {
    return;
  }
  auto limit = limit_tbb(workers_arg(state));
  timed_loop(state, k_chain_tasks, [&] { flow.run(); });
}

NEAT_BENCH("chain", "tbb", chain_tbb);

}  // namespace
}  // namespace neat::bench
