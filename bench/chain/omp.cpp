// chain/omp: one parallel + single region per run; task i has depend(in: token[i-1]) and
// depend(out: token[i]), so the tasks form the same linear chain.
#include <vector>

#include "common/omp_threads.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/timing.hpp"

namespace neat::bench {
namespace {

// [[maybe_unused]]: GCC 12 calls a parameter used only in depend clauses unused.
void run_chain([[maybe_unused]] char* token) {
#pragma omp parallel
#pragma omp single
  {
#pragma omp task depend(out : token[0])
    empty_task_body();
    for (std::size_t i = 1; i < k_chain_tasks; ++i) {
#pragma omp task depend(in : token[i - 1]) depend(out : token[i])
      empty_task_body();
    }
  }
}

void chain_omp(benchmark::State& state) {
  std::vector<char> tokens(k_chain_tasks);
  use_omp_threads(workers_arg(state));
  timed_loop(state, k_chain_tasks, [&] { run_chain(tokens.data()); });
}

NEAT_BENCH("chain", "omp", chain_omp);

}  // namespace
}  // namespace neat::bench
