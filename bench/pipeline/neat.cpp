// pipeline/neat: ExecutionPipeline throughput against its bottleneck stage (issue 3, item 9).
//  - "pipeline": 3 stages per item: transfer (serial, a 1 ms sleep, high priority), compute
//    (parallel, 0.6 ms spin), post-process (serial, 0.3 ms spin); 8 items in flight.
//    "pipeline_slack": the same with compute 0.4 ms and post 0.2 ms.
//    Counters: items_per_s (measured), bottleneck_items_per_s (the slowest stage alone: 1/t for a
//    serial stage, P/t for a parallel one), bound_items_per_s (also bounded by the workers, since
//    a sleeping stage holds a worker too: P / sum of stage times, and by items in flight:
//    tokens / sum), ratio = items_per_s / bottleneck_items_per_s and ratio_to_bound. The
//    *_measured variants use the stage times really observed (a 1 ms sleep lasts longer, a
//    preempted spin too), so they show the pipeline's own loss apart from the machine's.
//    On 2 workers, "pipeline": bottleneck 1000/s (transfer), worker bound 2/1.9 ms = 1053/s
//    (5% slack: anything that takes more than 5% of a core from the workers makes the worker
//    bound the limit), token bound 8/1.9 ms = 4211/s. "pipeline_slack": bottleneck 1000/s,
//    worker bound 2/1.6 ms = 1250/s.
//  - "pipeline_overhead": 3 empty stages (serial, parallel, serial); ns_per_item is the cost of
//    moving one item through the pipeline (4 invocations: source and 3 stages).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "common/spin.hpp"
#include "neat/sched/execution_pipeline.hpp"

namespace neat::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

/// Stage times of one item, in microseconds of wall time.
struct StageTimes {
  double transfer_us;
  double compute_us;
  double post_us;
};
constexpr StageTimes k_tight{1000.0, 600.0, 300.0};  // workers 95% busy on 2 workers
constexpr StageTimes k_slack{1000.0, 400.0, 200.0};  // workers 80% busy on 2 workers
constexpr std::size_t k_tokens = 8;
constexpr std::size_t k_items = 400;

struct Batch {
  std::size_t index = 0;
};

auto batches(std::size_t n) {
  return [i = std::size_t{0}, n]() mutable -> std::optional<Batch> {
    if (i == n) return std::nullopt;
    return Batch{i++};
  };
}

/// Sum of the measured durations of one stage, in microseconds (relaxed: read after the run).
struct StageClock {
  std::atomic<double> total_us{0.0};
  void add(double us) {
    double seen = total_us.load(std::memory_order_relaxed);
    while (!total_us.compare_exchange_weak(seen, seen + us, std::memory_order_relaxed)) {
    }
  }
};

/// Items per second a pipeline of these stage times can reach on `workers` with `tokens`.
struct Bounds {
  double bottleneck;  // slowest stage alone
  double bound;       // also limited by workers and tokens
};

Bounds bounds(double transfer_us, double compute_us, double post_us, double workers,
              double tokens) {
  const double bottleneck =
      std::min({1e6 / transfer_us, workers * 1e6 / compute_us, 1e6 / post_us});
  const double total_us = transfer_us + compute_us + post_us;
  return {bottleneck, std::min({bottleneck, workers * 1e6 / total_us, tokens * 1e6 / total_us})};
}

void run_pipeline(benchmark::State& state, const StageTimes& times) {
  ParallelExecutor executor(executor_options(state));
  StageClock transfer;
  StageClock compute;
  StageClock post;
  ExecutionPipeline<Batch> pipeline(
      {.name = "bench", .max_in_flight = k_tokens, .source_priority = ExecutionPriority::high});
  pipeline.source(batches(k_items))
      .stage({.name = "transfer", .kind = StageKind::serial, .priority = ExecutionPriority::high},
             [&](Batch&) {
               const auto start = SteadyClock::now();
               std::this_thread::sleep_for(
                   std::chrono::microseconds(static_cast<std::int64_t>(times.transfer_us)));
               transfer.add(
                   std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count());
             })
      .stage({.name = "compute", .kind = StageKind::parallel},
             [&](Batch&) { compute.add(spin_for_us(times.compute_us)); })
      .stage({.name = "post", .kind = StageKind::serial},
             [&](Batch&) { post.add(spin_for_us(times.post_us)); });

  (void)pipeline.run(executor).wait();  // untimed: starts the workers
  transfer.total_us = compute.total_us = post.total_us = 0.0;
  double total_s = 0.0;
  for (auto _ : state) {
    const auto start = SteadyClock::now();
    (void)pipeline.run(executor).wait();
    const double elapsed = seconds_between(start, SteadyClock::now());
    state.SetIterationTime(elapsed);
    total_s += elapsed;
  }
  const double items = static_cast<double>(state.iterations() * k_items);
  const double workers = static_cast<double>(executor.worker_count());
  const double tokens = static_cast<double>(k_tokens);
  const Bounds nominal =
      bounds(times.transfer_us, times.compute_us, times.post_us, workers, tokens);
  const Bounds measured = bounds(transfer.total_us / items, compute.total_us / items,
                                 post.total_us / items, workers, tokens);
  const double rate = items / total_s;
  state.counters["items_per_s"] = rate;
  state.counters["bottleneck_items_per_s"] = nominal.bottleneck;
  state.counters["bound_items_per_s"] = nominal.bound;
  state.counters["ratio"] = rate / nominal.bottleneck;
  state.counters["ratio_to_bound"] = rate / nominal.bound;
  state.counters["transfer_us_measured"] = transfer.total_us / items;
  state.counters["bottleneck_measured"] = measured.bottleneck;
  state.counters["ratio_measured"] = rate / measured.bottleneck;
  state.counters["ratio_to_bound_measured"] = rate / measured.bound;
  state.counters["workers"] = workers;
}

void pipeline_neat(benchmark::State& state) {
  run_pipeline(state, k_tight);
}
void pipeline_slack_neat(benchmark::State& state) {
  run_pipeline(state, k_slack);
}

void pipeline_overhead_neat(benchmark::State& state) {
  constexpr std::size_t items = 20000;
  ParallelExecutor executor(executor_options(state));
  ExecutionPipeline<Batch> pipeline({.name = "overhead"});
  pipeline.source(batches(items))
      .stage({.name = "a", .kind = StageKind::serial},
             [](Batch& b) { benchmark::DoNotOptimize(b); })
      .stage({.name = "b"}, [](Batch& b) { benchmark::DoNotOptimize(b); })
      .stage({.name = "c", .kind = StageKind::serial},
             [](Batch& b) { benchmark::DoNotOptimize(b); });
  (void)pipeline.run(executor).wait();
  double total_s = 0.0;
  for (auto _ : state) {
    const auto start = SteadyClock::now();
    (void)pipeline.run(executor).wait();
    const double elapsed = seconds_between(start, SteadyClock::now());
    state.SetIterationTime(elapsed);
    total_s += elapsed;
  }
  state.counters["ns_per_item"] = total_s * 1e9 / static_cast<double>(state.iterations() * items);
  state.counters["workers"] = static_cast<double>(executor.worker_count());
}

NEAT_BENCH("pipeline", "neat", pipeline_neat);
NEAT_BENCH("pipeline_slack", "neat", pipeline_slack_neat);
NEAT_BENCH("pipeline_overhead", "neat", pipeline_overhead_neat);

}  // namespace
}  // namespace neat::bench
