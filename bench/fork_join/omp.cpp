// fork_join/omp: the idiomatic OpenMP form of the same fork-join: fork node k is a task that
// runs its (empty) fork body, creates tasks for forks 2k+1 and 2k+2 when it is internal, waits
// for them (taskwait) and then runs the (empty) body of its join node J(k). So every node of
// the shapes.hpp DAG is executed once, in an order the DAG allows, with the same ns_per_task
// denominator (k_tasks = 1,572,862 nodes); OpenMP creates only the 2^20 - 2 fork tasks below
// the root (the root runs in the single region) and fuses each join into its fork task.
#include <cstdint>

#include "common/omp_threads.hpp"
#include "common/registry.hpp"
#include "common/shapes.hpp"
#include "common/timing.hpp"

namespace neat::bench {
namespace {

void fork(std::uint32_t k) {
  empty_task_body();  // fork body
  if (fork_join::is_leaf(k)) return;
#pragma omp task
  fork(2 * k + 1);
#pragma omp task
  fork(2 * k + 2);
#pragma omp taskwait
  empty_task_body();  // join body of J(k)
}

void run_fork_join() {
#pragma omp parallel
#pragma omp single
  fork(0);
}

void fork_join_omp(benchmark::State& state) {
  use_omp_threads(workers_arg(state));
  timed_loop(state, fork_join::k_tasks, run_fork_join);
}

NEAT_BENCH("fork_join", "omp", fork_join_omp);

}  // namespace
}  // namespace neat::bench
