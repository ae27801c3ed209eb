// wavefront/neat: k_side x k_side empty operations in row-major order; cell (i, j) succeeds
// (i-1, j) and (i, j-1).
#include <memory>

#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"

namespace neat::bench {
namespace {

std::shared_ptr<OperationDependencyGraph> make_wavefront() {
  using namespace wavefront;
  auto g = std::make_shared<OperationDependencyGraph>();
  g->reserve(k_tasks, k_edges);
  for (std::size_t c = 0; c < k_tasks; ++c) g->emplace([] { empty_task_body(); });
  auto id = [](std::size_t c) { return OperationId{static_cast<std::uint32_t>(c)}; };
  for (std::size_t i = 0; i < k_side; ++i) {
    for (std::size_t j = 0; j < k_side; ++j) {
      if (i > 0) g->precede(id(cell(i - 1, j)), id(cell(i, j)));
      if (j > 0) g->precede(id(cell(i, j - 1)), id(cell(i, j)));
    }
  }
  return g;
}

void wavefront_neat(benchmark::State& state) {
  auto& graph = cached<OperationDependencyGraph>("wavefront/neat", make_wavefront);
  time_neat_runs(state, graph, wavefront::k_tasks, wavefront::k_edges);
}

NEAT_BENCH("wavefront", "neat", wavefront_neat);

}  // namespace
}  // namespace neat::bench
