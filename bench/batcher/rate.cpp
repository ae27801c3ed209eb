// batcher/rate: the DynamicBatcher against unbatched requests under open-loop arrivals, the way
// Triton's perf_analyzer sweeps a request rate: requests arrive on a schedule whether or not
// earlier ones finished, so a rate beyond what a mode sustains shows as a growing queue.
//
// "batcher_rate<R>k/neat": R thousand requests per second, evenly spaced, for k_phase, first
// unbatched (each request its own scheduler operation) then batched (through a DynamicBatcher:
// max_batch 32, max_in_flight = workers, adaptive delay), twice, interleaved. One generator
// thread submits every request whose arrival time has passed, then sleeps ~50 us (so it does
// not occupy a CPU). Latency runs from a request's scheduled arrival (not its submission, so a
// late generator does not hide queueing) to the end of the operation or batch that served it.
// Counters: rate, unbatched_rps / batched_rps (requests served per second, from the first
// arrival to the last completion), speedup (batched / unbatched), unbatched_p95_us /
// batched_p95_us, p95_ratio, mean_batch.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <thread>
#include <vector>

#include "batcher/model.hpp"
#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "neat/batch/dynamic_batcher.hpp"
#include "neat/sched/execution_scheduler.hpp"

namespace neat::bench {
namespace {

using batching::k_inputs;
using batching::model;
using batching::percentile;
using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds k_phase{300};

// One phase: when each request arrives (offsets from `start`) and when it was served.
struct Phase {
  SteadyClock::time_point start{};
  std::vector<SteadyClock::duration> arrival;
  std::vector<SteadyClock::time_point> served;

  Phase(double per_second, SteadyClock::time_point begin) : start(begin) {
    const auto count =
        static_cast<std::size_t>(per_second * std::chrono::duration<double>(k_phase).count());
    const double gap_ns = 1e9 / per_second;
    for (std::size_t i = 0; i < count; ++i) {
      arrival.push_back(
          std::chrono::nanoseconds(static_cast<std::int64_t>(gap_ns * static_cast<double>(i))));
    }
    served.resize(count);
  }
};

// Calls send(i) for every request at (or just after) its arrival time.
template <class Send>
void generate(const Phase& phase, Send&& send) {
  std::size_t next = 0;
  while (next < phase.arrival.size()) {
    const auto now = SteadyClock::now();
    while (next < phase.arrival.size() && phase.start + phase.arrival[next] <= now) send(next++);
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

void run_unbatched(ExecutionScheduler& scheduler, Phase& phase) {
  std::vector<OpHandle<void>> handles;
  handles.reserve(phase.arrival.size());
  generate(phase, [&](std::size_t i) {
    handles.push_back(scheduler.submit({.descriptor = {.name = "request"}}, [&phase, i] {
      benchmark::DoNotOptimize(model().alone(static_cast<int>(i) % k_inputs));
      phase.served[i] = SteadyClock::now();
    }));
  });
  for (OpHandle<void>& h : handles) h.wait();
}

std::uint64_t run_batched(ExecutionScheduler& scheduler, std::size_t workers, Phase& phase) {
  DynamicBatcherOptions options;
  options.name = "model";
  options.max_batch = 32;
  options.max_in_flight = workers;
  options.queue_capacity = phase.arrival.size();
  DynamicBatcher<std::size_t, float> batcher(scheduler, options,
                                             [&phase](std::vector<std::size_t>& batch) {
                                               std::vector<int> inputs;
                                               for (std::size_t i : batch)
                                                 inputs.push_back(static_cast<int>(i) % k_inputs);
                                               std::vector<float> out = model().batched(inputs);
                                               const auto now = SteadyClock::now();
                                               for (std::size_t i : batch) phase.served[i] = now;
                                               return out;
                                             });
  std::vector<std::future<float>> futures;
  futures.reserve(phase.arrival.size());
  generate(phase, [&](std::size_t i) { futures.push_back(batcher.submit(i)); });
  for (std::future<float>& f : futures) benchmark::DoNotOptimize(f.get());
  batcher.wait_idle();
  return batcher.stats().batches;
}

struct Totals {
  std::size_t requests = 0;
  double seconds = 0;
  std::vector<double> latency_us;

  void add(const Phase& phase) {
    const auto last = *std::max_element(phase.served.begin(), phase.served.end());
    seconds += std::chrono::duration<double>(last - phase.start).count();
    requests += phase.arrival.size();
    for (std::size_t i = 0; i < phase.arrival.size(); ++i) {
      const auto waited = phase.served[i] - (phase.start + phase.arrival[i]);
      latency_us.push_back(std::chrono::duration<double, std::micro>(waited).count());
    }
  }
  [[nodiscard]] double per_second() const { return static_cast<double>(requests) / seconds; }
};

void sweep(benchmark::State& state, double per_second) {
  const auto workers = static_cast<std::size_t>(workers_arg(state));
  ParallelExecutor executor(executor_options(state));
  ExecutionScheduler scheduler(executor);
  (void)model();
  Totals unbatched;
  Totals batched;
  std::uint64_t batches = 0;
  for (auto _ : state) {
    const auto begin = SteadyClock::now();
    for (int round = 0; round < 2; ++round) {
      Phase plain(per_second, SteadyClock::now());
      run_unbatched(scheduler, plain);
      unbatched.add(plain);
      Phase grouped(per_second, SteadyClock::now());
      batches += run_batched(scheduler, workers, grouped);
      batched.add(grouped);
    }
    state.SetIterationTime(std::chrono::duration<double>(SteadyClock::now() - begin).count());
  }
  state.counters["rate"] = per_second;
  state.counters["unbatched_rps"] = unbatched.per_second();
  state.counters["batched_rps"] = batched.per_second();
  state.counters["speedup"] = batched.per_second() / unbatched.per_second();
  state.counters["unbatched_p95_us"] = percentile(unbatched.latency_us, 0.95);
  state.counters["batched_p95_us"] = percentile(batched.latency_us, 0.95);
  state.counters["p95_ratio"] =
      percentile(batched.latency_us, 0.95) / percentile(unbatched.latency_us, 0.95);
  state.counters["mean_batch"] = static_cast<double>(batched.requests) /
                                 static_cast<double>(std::max<std::uint64_t>(1, batches));
}

void rate_10k(benchmark::State& state) {
  sweep(state, 10'000);
}
void rate_20k(benchmark::State& state) {
  sweep(state, 20'000);
}
void rate_40k(benchmark::State& state) {
  sweep(state, 40'000);
}
void rate_80k(benchmark::State& state) {
  sweep(state, 80'000);
}
void rate_160k(benchmark::State& state) {
  sweep(state, 160'000);
}

NEAT_BENCH("batcher_rate10k", "neat", rate_10k);
NEAT_BENCH("batcher_rate20k", "neat", rate_20k);
NEAT_BENCH("batcher_rate40k", "neat", rate_40k);
NEAT_BENCH("batcher_rate80k", "neat", rate_80k);
NEAT_BENCH("batcher_rate160k", "neat", rate_160k);

}  // namespace
}  // namespace neat::bench
