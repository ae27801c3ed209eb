// independent/neat: k_independent_tasks empty operations, no edges; time run(graph).wait().
#include <memory>

#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"

namespace neat::bench {
namespace {

void independent_neat(benchmark::State& state) {
  auto& graph = cached<OperationDependencyGraph>("independent/neat", [] {
    auto g = std::make_shared<OperationDependencyGraph>();
    for (std::size_t i = 0; i < k_independent_tasks; ++i) g->emplace([] { empty_task_body(); });
    return g;
  });
  time_neat_runs(state, graph, k_independent_tasks, 0);
}

NEAT_BENCH("independent", "neat", independent_neat);

}  // namespace
}  // namespace neat::bench
