// fork_join/neat: the fork tree and its mirrored join tree of common/shapes.hpp, as empty
// operations: fork k precedes forks 2k+1, 2k+2; join J(k) succeeds join_input(2k+1) and
// join_input(2k+2). Operation index = task index of shapes.hpp.
#include <memory>

#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"

namespace neat::bench {
namespace {

std::shared_ptr<OperationDependencyGraph> make_fork_join() {
  using namespace fork_join;
  auto g = std::make_shared<OperationDependencyGraph>();
  g->reserve(k_tasks, k_edges);
  for (std::size_t i = 0; i < k_tasks; ++i) g->emplace([] { empty_task_body(); });
  for (std::uint32_t k = 0; k < k_internal_nodes; ++k) {
    for (std::uint32_t c : {2 * k + 1, 2 * k + 2}) {
      g->precede(OperationId{k}, OperationId{c});
      g->precede(OperationId{join_input(c)}, OperationId{join_task(k)});
    }
  }
  return g;
}

void fork_join_neat(benchmark::State& state) {
  auto& graph = cached<OperationDependencyGraph>("fork_join/neat", make_fork_join);
  time_neat_runs(state, graph, fork_join::k_tasks, fork_join::k_edges);
}

NEAT_BENCH("fork_join", "neat", fork_join_neat);

}  // namespace
}  // namespace neat::bench
