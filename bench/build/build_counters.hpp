// Counters shared by build/neat.cpp and build/tbb.cpp: time and heap bytes per operation.
//
// Thread-safety: main thread only.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>

#include "common/alloc_counter.hpp"

namespace neat::bench {

struct BuildTally {
  double build_seconds = 0.0;  // summed over iterations
  AllocTally built;            // of the last iteration, right after building
  std::size_t operations = 0;

  /// ns_per_task (= ns per operation built), tasks, bytes_per_op, allocs_per_op.
  void set_counters(benchmark::State& state) const {
    const double n = static_cast<double>(operations);
    const double it = static_cast<double>(state.iterations());
    if (it <= 0 || n <= 0) return;
    state.counters["tasks"] = benchmark::Counter(n);
    state.counters["ns_per_task"] = benchmark::Counter(build_seconds * 1e9 / (it * n));
    state.counters["bytes_per_op"] = benchmark::Counter(static_cast<double>(built.live_bytes) / n);
    state.counters["allocs_per_op"] =
        benchmark::Counter(static_cast<double>(built.allocations) / n);
  }
};

}  // namespace neat::bench
