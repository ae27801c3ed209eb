// random_dag/neat: the layered random DAG of common/dag.hpp, one operation per task running the
// recorder's busy spin; predecessors become explicit edges.
#include <memory>

#include "common/dag.hpp"
#include "common/neat_support.hpp"
#include "common/registry.hpp"

namespace neat::bench {
namespace {

struct RandomDagNeat {
  LayeredDag dag = make_layered_dag({});
  DagRecorder recorder{dag};
  OperationDependencyGraph graph;

  RandomDagNeat() {
    for (std::uint32_t i = 0; i < dag.size(); ++i) {
      graph.emplace([this, i] { recorder.run_task(i); });
    }
    for (std::uint32_t i = 0; i < dag.size(); ++i) {
      for (std::uint32_t p : dag.predecessors[i]) graph.precede(OperationId{p}, OperationId{i});
    }
  }
};

void random_dag_neat(benchmark::State& state) {
  auto& w =
      cached<RandomDagNeat>("random_dag/neat", [] { return std::make_shared<RandomDagNeat>(); });
  const std::size_t n = w.dag.size();
  if (!check_shape(state, w.graph.size(), w.graph.edge_count(), n, w.dag.edge_count())) return;
  ParallelExecutor executor(executor_options(state));
  if (!checked_first_run(state, executor, w.graph)) return;
  auto run_once = [&] { executor.run(w.graph).wait(); };
  dag_loop(state, w.recorder, run_once);
}

NEAT_BENCH("random_dag", "neat", random_dag_neat);

}  // namespace
}  // namespace neat::bench
