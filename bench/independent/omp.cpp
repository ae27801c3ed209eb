// independent/omp: one parallel + single region per run; the single thread creates
// k_independent_tasks empty tasks; the region's closing barrier waits for them.
#include "common/omp_threads.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/timing.hpp"

namespace neat::bench {
namespace {

void run_independent() {
#pragma omp parallel
#pragma omp single
  {
    for (std::size_t i = 0; i < k_independent_tasks; ++i) {
#pragma omp task
      empty_task_body();
    }
  }
}

void independent_omp(benchmark::State& state) {
  use_omp_threads(workers_arg(state));
  timed_loop(state, k_independent_tasks, run_independent);
}

NEAT_BENCH("independent", "omp", independent_omp);

}  // namespace
}  // namespace neat::bench
