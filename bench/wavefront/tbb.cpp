// wavefront/tbb: the same grid as wavefront/neat as continue_nodes; a run puts to cell (0, 0).
#include <memory>

#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/tbb_flow.hpp"

namespace neat::bench {
namespace {

std::shared_ptr<FlowGraph> make_wavefront_flow() {
  using namespace wavefront;
  auto made = std::make_shared<FlowGraph>();
  for (std::size_t c = 0; c < k_tasks; ++c) made->add(empty_body);
  for (std::size_t i = 0; i < k_side; ++i) {
    for (std::size_t j = 0; j < k_side; ++j) {
      if (i > 0) made->edge(cell(i - 1, j), cell(i, j));
      if (j > 0) made->edge(cell(i, j - 1), cell(i, j));
    }
  }
  made->sources = {cell(0, 0)};
  return made;
}

void wavefront_tbb(benchmark::State& state) {
  auto& flow = cached<FlowGraph>("wavefront/tbb", make_wavefront_flow);
  if (!check_shape(state, flow.nodes.size(), flow.edge_count, wavefront::k_tasks,
                   wavefront::k_edges))
    return;
  auto limit = limit_tbb(workers_arg(state));
  timed_loop(state, wavefront::k_tasks, [&] { flow.run(); });
}

NEAT_BENCH("wavefront", "tbb", wavefront_tbb);

}  // namespace
}  // namespace neat::bench
