// Registry of the neat_bench benchmarks. Each bench/<workload>/<impl>.cpp registers its function
// at static-initialisation time with NEAT_BENCH; main() then hands every entry to Google
// Benchmark, in workload order and then neat, tbb, omp, once per worker count of --workers.
//
// Names read "<workload>/<impl>/workers:<n>" (or "<workload>/<impl>" for benchmarks that take no
// worker count), which bench/summarize.py parses.
//
// Thread-safety: registration happens before main(); nothing here is used concurrently.
//
//   void chain_neat(benchmark::State& state) { ... }
//   NEAT_BENCH("chain", "neat", chain_neat);
#pragma once

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace neat::bench {

using BenchFunction = void (*)(benchmark::State&);

struct BenchEntry {
  std::string workload;
  std::string impl;
  BenchFunction function = nullptr;
  bool takes_workers = true;  // false: registered once, without the workers argument
};

/// Record a benchmark; returns a dummy so it can initialise a static.
int register_bench(std::string workload, std::string impl, BenchFunction function,
                   bool takes_workers = true);

/// Register every recorded benchmark with Google Benchmark, sorted by workload then impl.
void register_all(const std::vector<int>& workers);

}  // namespace neat::bench

#define NEAT_BENCH_CONCAT_INNER(a, b) a##b
#define NEAT_BENCH_CONCAT(a, b) NEAT_BENCH_CONCAT_INNER(a, b)
#define NEAT_BENCH(workload, impl, function)                             \
  static const int NEAT_BENCH_CONCAT(neat_bench_registered_, __LINE__) = \
      ::neat::bench::register_bench(workload, impl, function)
#define NEAT_BENCH_NO_WORKERS(workload, impl, function)                  \
  static const int NEAT_BENCH_CONCAT(neat_bench_registered_, __LINE__) = \
      ::neat::bench::register_bench(workload, impl, function, false)
