// random_dag/tbb: the layered random DAG of common/dag.hpp as continue_nodes running the
// recorder's busy spin; the first layer's nodes are the sources each run puts to.
#include <memory>

#include "common/dag.hpp"
#include "common/registry.hpp"
#include "common/tbb_flow.hpp"

namespace neat::bench {
namespace {

struct RandomDagFlow {
  LayeredDag dag = make_layered_dag({});
  DagRecorder recorder{dag};
  FlowGraph flow;

  RandomDagFlow() {
    for (std::uint32_t i = 0; i < dag.size(); ++i) {
      flow.add([this, i](const tbb::flow::continue_msg&) {
        recorder.run_task(i);
        return tbb::flow::continue_msg{};
      });
      if (dag.predecessors[i].empty()) flow.sources.push_back(i);
    }
    for (std::uint32_t i = 0; i < dag.size(); ++i) {
      for (std::uint32_t p : dag.predecessors[i]) flow.edge(p, i);
    }
  }
};

void random_dag_tbb(benchmark::State& state) {
  auto& w =
      cached<RandomDagFlow>("random_dag/tbb", [] { return std::make_shared<RandomDagFlow>(); });
  const std::size_t n = w.dag.size();
  if (!check_shape(state, w.flow.nodes.size(), w.flow.edge_count, n, w.dag.edge_count())) return;
  auto limit = limit_tbb(workers_arg(state));
  auto run_once = [&] { w.flow.run(); };
  dag_loop(state, w.recorder, run_once);
}

NEAT_BENCH("random_dag", "tbb", random_dag_tbb);

}  // namespace
}  // namespace neat::bench
