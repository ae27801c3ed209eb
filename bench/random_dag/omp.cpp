// random_dag/omp: one parallel + single region per run; the single thread creates the tasks of
// common/dag.hpp in index order (every predecessor has a smaller index), each with
// depend(in: token[p]) for its 1-3 predecessors and depend(out: token[i]).
#include <cstdint>
#include <vector>

#include "common/dag.hpp"
#include "common/omp_threads.hpp"
#include "common/registry.hpp"

namespace neat::bench {
namespace {

// `recorder` is a pointer on purpose: OpenMP makes a by-reference parameter firstprivate in an
// orphaned task, which would copy the recorder into every task.
void spawn_task(DagRecorder* recorder, char* token, std::uint32_t i) {
  [[maybe_unused]] const std::uint32_t* p = recorder->dag().predecessors[i].data();
  [[maybe_unused]] char* self = &token[i];  // GCC 12: "unused" when only in depend
  switch (recorder->dag().predecessors[i].size()) {
    case 0:
#pragma omp task depend(out : self[0])
      recorder->run_task(i);
      break;
    case 1:
#pragma omp task depend(in : token[p[0]]) depend(out : self[0])
      recorder->run_task(i);
      break;
    case 2:
#pragma omp task depend(in : token[p[0]], token[p[1]]) depend(out : self[0])
      recorder->run_task(i);
      break;
    default:  // 3: random_dag_omp checks that no task has more
#pragma omp task depend(in : token[p[0]], token[p[1]], token[p[2]]) depend(out : self[0])
      recorder->run_task(i);
      break;
  }
}

void random_dag_omp(benchmark::State& state) {
  static const LayeredDag dag = make_layered_dag({});
  for (const auto& preds : dag.predecessors) {
    if (preds.size() > 3) {
      state.SkipWithError("random_dag/omp: a task has more than 3 predecessors");
      return;
    }
  }
  DagRecorder recorder(dag);
  std::vector<char> tokens(dag.size());
  use_omp_threads(workers_arg(state));
  auto run_once = [&] {
#pragma omp parallel
#pragma omp single
    for (std::uint32_t i = 0; i < dag.size(); ++i) spawn_task(&recorder, tokens.data(), i);
  };
  dag_loop(state, recorder, run_once);
}

NEAT_BENCH("random_dag", "omp", random_dag_omp);

}  // namespace
}  // namespace neat::bench
