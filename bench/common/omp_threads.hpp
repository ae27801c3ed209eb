// OpenMP side of the benchmarks: run the next parallel regions on exactly `workers` threads
// (the encountering thread included, as with oneTBB's limit and neat's worker count).
//
// Thread-safety: call from the benchmark's main thread, outside any parallel region.
#pragma once

#include <omp.h>

namespace neat::bench {

inline void use_omp_threads(int workers) {
  omp_set_dynamic(0);  // no fewer threads than asked for
  omp_set_num_threads(workers);
}

}  // namespace neat::bench
