// Timing helpers shared by every workload: the worker count argument, a timed loop that measures
// exactly one run per iteration, the ns_per_task counter, and a one-slot cache so a large graph
// is built once and reused by consecutive benchmark calls (Google Benchmark calls a function
// several times: to size the iteration count and once per repetition).
//
// Thread-safety: used from the benchmark's main thread only.
//
//   auto& graph = neat::bench::cached<Graph>("chain/neat", [] { return make_chain(); });
//   neat::bench::timed_loop(state, graph.tasks, [&] { executor.run(graph.graph).wait(); });
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace neat::bench {

using Clock = std::chrono::steady_clock;

/// The worker count of this benchmark instance (the "workers" argument).
inline int workers_arg(const benchmark::State& state) {
  return static_cast<int>(state.range(0));
}

/// Seconds between two clock readings.
inline double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

/// Set `tasks` and `ns_per_task` from the total measured seconds of all iterations.
/// ns_per_task = total seconds * 1e9 / (iterations * tasks): plain nanoseconds per task.
inline void set_task_counters(benchmark::State& state, std::size_t tasks, double total_seconds) {
  const double iterations = static_cast<double>(state.iterations());
  state.counters["tasks"] = benchmark::Counter(static_cast<double>(tasks));
  state.counters["workers"] = benchmark::Counter(static_cast<double>(state.range(0)));
  if (iterations > 0 && tasks > 0) {
    state.counters["ns_per_task"] =
        benchmark::Counter(total_seconds * 1e9 / (iterations * static_cast<double>(tasks)));
  }
}

/// Checks that a benchmark built the DAG it claims: `nodes` and `edges` as expected. On a
/// mismatch the benchmark is skipped with both numbers and false is returned.
bool check_shape(benchmark::State& state, std::size_t nodes, std::size_t edges,
                 std::size_t expected_nodes, std::size_t expected_edges);

/// An untimed warm-up run (unless the caller did its own), then one timed run per iteration;
/// sets the task counters.
template <class Run>
void timed_loop(benchmark::State& state, std::size_t tasks, Run&& run_once, bool warm_up = true) {
  if (warm_up) run_once();  // first-run costs (compile, thread start, page faults) stay untimed
  double total = 0.0;
  for (auto _ : state) {
    const auto start = Clock::now();
    run_once();
    const double elapsed = seconds_between(start, Clock::now());
    state.SetIterationTime(elapsed);
    total += elapsed;
  }
  set_task_counters(state, tasks, total);
}

/// One-slot cache: returns the object built for `key`, building it (and dropping the previous
/// one first, to bound memory) when the key changed. The object lives until the next key or
/// clear_cache().
void clear_cache();
void set_cached(std::string key, std::shared_ptr<void> value);
void* find_cached(std::string_view key);

template <class T, class Build>
T& cached(std::string_view key, Build&& build) {
  if (void* hit = find_cached(key)) return *static_cast<T*>(hit);
  clear_cache();
  std::shared_ptr<T> made = std::forward<Build>(build)();
  T& ref = *made;
  set_cached(std::string(key), std::move(made));
  return ref;
}

}  // namespace neat::bench
