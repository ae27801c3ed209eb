// chain/neat: k_chain_tasks empty operations, operation i precedes operation i+1.
#include <memory>

#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"

namespace neat::bench {
namespace {

void chain_neat(benchmark::State& state) {
  auto& graph = cached<OperationDependencyGraph>("chain/neat", [] {
    auto g = std::make_shared<OperationDependencyGraph>();
    g->reserve(k_chain_tasks, k_chain_tasks - 1);
    Operation previous = g->emplace([] { empty_task_body(); });
    for (std::size_t i = 1; i < k_chain_tasks; ++i) {
      Operation next = g->emplace([] { empty_task_body(); });
      previous.precede(next);
      previous = next;
    }
    return g;
  });
  time_neat_runs(state, graph, k_chain_tasks, k_chain_tasks - 1);
}

NEAT_BENCH("chain", "neat", chain_neat);

}  // namespace
}  // namespace neat::bench
