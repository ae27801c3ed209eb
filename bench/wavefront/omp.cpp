// wavefront/omp: one parallel + single region per run; the single thread creates the cells in
// row-major order as tasks with depend(in: (i-1, j), (i, j-1)) and depend(out: (i, j)) on a
// token per cell, so the tasks form the same grid DAG.
#include <vector>

#include "common/omp_threads.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/timing.hpp"

namespace neat::bench {
namespace {

// Creates the task of cell (i, j) with exactly the depend items of its existing neighbours.
// [[maybe_unused]]: GCC 12 calls variables used only in depend clauses unused.
void spawn_cell(char* token, std::size_t i, std::size_t j) {
  using wavefront::cell;
  [[maybe_unused]] char* self = &token[cell(i, j)];
  if (i > 0 && j > 0) {
    [[maybe_unused]] char* up = &token[cell(i - 1, j)];
    [[maybe_unused]] char* left = &token[cell(i, j - 1)];
#pragma omp task depend(in : up[0], left[0]) depend(out : self[0])
    empty_task_body();
  } else if (i > 0 || j > 0) {
    [[maybe_unused]] char* before = i > 0 ? &token[cell(i - 1, j)] : &token[cell(i, j - 1)];
#pragma omp task depend(in : before[0]) depend(out : self[0])
    empty_task_body();
  } else {
#pragma omp task depend(out : self[0])
    empty_task_body();
  }
}

void run_wavefront(char* token) {
#pragma omp parallel
#pragma omp single
  {
    for (std::size_t i = 0; i < wavefront::k_side; ++i) {
      for (std::size_t j = 0; j < wavefront::k_side; ++j) spawn_cell(token, i, j);
    }
  }
}

void wavefront_omp(benchmark::State& state) {
  std::vector<char> tokens(wavefront::k_tasks);
  use_omp_threads(workers_arg(state));
  timed_loop(state, wavefront::k_tasks, [&] { run_wavefront(tokens.data()); });
}

NEAT_BENCH("wavefront", "omp", wavefront_omp);

}  // namespace
}  // namespace neat::bench
