// batcher/neat: the DynamicBatcher against submitting every request alone, on the same
// ExecutionScheduler, with a kernel whose per-call cost makes batching pay.
//
// Kernel: bench/batcher/model.hpp (a gemv alone, a gemm per batch, behind a 20 us per-call
// cost that a batch pays once).
//
// "batcher_c<N>/neat": N client threads, closed loop (submit, wait for the result, again), for
// k_phase each: unbatched, batched, unbatched, batched (interleaved against drift). Counters:
// unbatched_rps / batched_rps (requests per second), speedup (batched / unbatched),
// unbatched_p95_us / batched_p95_us (submit to result), p95_ratio (batched / unbatched),
// mean_batch, and ideal_speedup: the best any batcher could do here, from the kernel's own
// timings in the same run (see ideal_speedup()). Batcher: max_batch 32, max_in_flight =
// workers, adaptive delay (work-conserving: a batch starts whenever a slot is free; requests
// batch up while every slot is busy).
//
// "batcher_low_load/neat": one client, 1 ms pause between requests (load ~2-3%), 400 requests
// per mode, interleaved. Counters: dispatch_p50_us / dispatch_p99_us (enqueue to dispatch:
// from just before submit() to the batch function's first instruction on a worker, so it
// includes the worker's wake-up), alone_dispatch_p50_us / _p99_us (the same for a request
// submitted alone to the scheduler: the executor's own wake-up, for comparison), submit_p50_us
// (the batcher's submit() call alone) and alone_submit_p50_us (the scheduler's), batched_p50_us /
// unbatched_p50_us (submit to result) and p50_ratio (batched / unbatched).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
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

struct Request {
  int input = 0;
  SteadyClock::time_point submitted{};
};

// Enqueue-to-dispatch samples, written by the batch function.
struct DispatchLog {
  std::mutex mutex;
  std::vector<double> us;
};

using Batcher = DynamicBatcher<Request, float>;

Batcher make_batcher(ExecutionScheduler& scheduler, std::size_t workers, DispatchLog* log) {
  DynamicBatcherOptions options;
  options.name = "model";
  options.component = "model";
  options.max_batch = 32;
  options.max_delay = std::chrono::microseconds(500);
  options.max_in_flight = workers;
  options.queue_capacity = 4096;
  return Batcher(scheduler, options, [log](std::vector<Request>& batch) {
    if (log != nullptr) {
      const auto now = SteadyClock::now();
      std::lock_guard<std::mutex> lock(log->mutex);
      for (const Request& r : batch) {
        log->us.push_back(std::chrono::duration<double, std::micro>(now - r.submitted).count());
      }
    }
    std::vector<int> inputs;
    for (const Request& r : batch) inputs.push_back(r.input);
    return model().batched(inputs);
  });
}

struct Phase {
  std::size_t requests = 0;
  double seconds = 0;
  std::vector<double> latency_us;
};

// `clients` threads call request(input) in a closed loop for k_phase.
template <class Call>
void closed_loop(int clients, Call&& request, Phase& phase) {
  std::mutex mutex;
  std::vector<std::thread> threads;
  const auto begin = SteadyClock::now();
  const auto end = begin + k_phase;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      int input = c;
      while (SteadyClock::now() < end) {
        const auto t0 = SteadyClock::now();
        benchmark::DoNotOptimize(request(input));
        mine.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
        input = (input + 1) % k_inputs;
      }
      std::lock_guard<std::mutex> lock(mutex);
      phase.latency_us.insert(phase.latency_us.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : threads) t.join();
  phase.seconds += std::chrono::duration<double>(SteadyClock::now() - begin).count();
  phase.requests = phase.latency_us.size();
}

float unbatched_call(ExecutionScheduler& scheduler, int input) {
  auto op = scheduler.submit({.descriptor = {.name = "request", .component = "model"}},
                             [input] { return model().alone(input); });
  return op.get();
}

// Median wall time of model().batched() for a batch of `size`, on this thread, in µs.
double batch_time_us(int size) {
  std::vector<int> inputs;
  for (int i = 0; i < size; ++i) inputs.push_back(i % k_inputs);
  std::vector<double> times;
  for (int rep = 0; rep < 41; ++rep) {
    const auto t0 = SteadyClock::now();
    benchmark::DoNotOptimize(model().batched(inputs));
    times.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
  }
  return percentile(times, 0.5);
}

// The speedup a perfect batcher could reach with `clients` closed-loop clients on `workers`
// workers. Unbatched, at most min(clients, workers) requests run at once: clients·t(1) per
// min(clients, workers) workers. Batched at best, every round of requests forms
// k = min(clients, workers) equal batches that run side by side: clients per t(⌈clients/k⌉).
// So with no more clients than workers nothing can gain, and the gain is bounded by how much
// of t(1) is the per-call cost that a batch shares.
double ideal_speedup(int clients, int workers) {
  const int k = std::min(clients, workers);
  const int per_batch = (clients + k - 1) / k;
  const double unbatched_rps = k / batch_time_us(1);
  const double batched_rps = clients / batch_time_us(per_batch);
  return batched_rps / unbatched_rps;
}

void sweep(benchmark::State& state, int clients) {
  const auto workers = static_cast<std::size_t>(workers_arg(state));
  ParallelExecutor executor(executor_options(state));
  ExecutionScheduler scheduler(executor);
  (void)model();
  Phase unbatched;
  Phase batched;
  std::uint64_t batches = 0;
  for (auto _ : state) {
    const auto begin = SteadyClock::now();
    for (int round = 0; round < 2; ++round) {
      closed_loop(
          clients, [&](int in) { return unbatched_call(scheduler, in); }, unbatched);
      Batcher batcher = make_batcher(scheduler, workers, nullptr);
      closed_loop(
          clients, [&](int in) { return batcher.submit({.input = in}).get(); }, batched);
      batcher.wait_idle();
      batches += batcher.stats().batches;
    }
    state.SetIterationTime(std::chrono::duration<double>(SteadyClock::now() - begin).count());
  }
  const double u_rps = static_cast<double>(unbatched.requests) / unbatched.seconds;
  const double b_rps = static_cast<double>(batched.requests) / batched.seconds;
  const double u_p95 = percentile(unbatched.latency_us, 0.95);
  const double b_p95 = percentile(batched.latency_us, 0.95);
  state.counters["clients"] = clients;
  state.counters["unbatched_rps"] = u_rps;
  state.counters["batched_rps"] = b_rps;
  state.counters["speedup"] = b_rps / u_rps;
  state.counters["unbatched_p95_us"] = u_p95;
  state.counters["batched_p95_us"] = b_p95;
  state.counters["p95_ratio"] = b_p95 / u_p95;
  state.counters["mean_batch"] = static_cast<double>(batched.requests) /
                                 static_cast<double>(std::max<std::uint64_t>(1, batches));
  state.counters["ideal_speedup"] = ideal_speedup(clients, static_cast<int>(workers));
}

void sweep_c1(benchmark::State& state) {
  sweep(state, 1);
}
void sweep_c2(benchmark::State& state) {
  sweep(state, 2);
}
void sweep_c4(benchmark::State& state) {
  sweep(state, 4);
}
void sweep_c8(benchmark::State& state) {
  sweep(state, 8);
}
void sweep_c16(benchmark::State& state) {
  sweep(state, 16);
}

void low_load(benchmark::State& state) {
  constexpr int k_requests = 400;
  const auto workers = static_cast<std::size_t>(workers_arg(state));
  ParallelExecutor executor(executor_options(state));
  ExecutionScheduler scheduler(executor);
  DispatchLog log;
  Batcher batcher = make_batcher(scheduler, workers, &log);
  (void)model();
  std::vector<double> batched_us;
  std::vector<double> unbatched_us;
  std::vector<double> submit_us;
  std::vector<double> alone_dispatch_us;  // written by the operation, read after get()
  std::vector<double> alone_submit_us;
  for (auto _ : state) {
    const auto begin = SteadyClock::now();
    for (int i = 0; i < k_requests; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      const auto t0 = SteadyClock::now();
      std::future<float> f = batcher.submit({.input = i % k_inputs, .submitted = t0});
      const auto t1 = SteadyClock::now();
      benchmark::DoNotOptimize(f.get());
      const auto t2 = SteadyClock::now();
      submit_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      batched_us.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      const auto t3 = SteadyClock::now();
      auto op = scheduler.submit(
          {.descriptor = {.name = "request", .component = "model"}},
          [input = i % k_inputs, t3, &alone_dispatch_us] {
            alone_dispatch_us.push_back(
                std::chrono::duration<double, std::micro>(SteadyClock::now() - t3).count());
            return model().alone(input);
          });
      alone_submit_us.push_back(
          std::chrono::duration<double, std::micro>(SteadyClock::now() - t3).count());
      benchmark::DoNotOptimize(op.get());
      unbatched_us.push_back(
          std::chrono::duration<double, std::micro>(SteadyClock::now() - t3).count());
    }
    state.SetIterationTime(std::chrono::duration<double>(SteadyClock::now() - begin).count());
  }
  batcher.wait_idle();
  std::vector<double> dispatch;
  {
    std::lock_guard<std::mutex> lock(log.mutex);
    dispatch = log.us;
  }
  state.counters["dispatch_p50_us"] = percentile(dispatch, 0.50);
  state.counters["dispatch_p99_us"] = percentile(dispatch, 0.99);
  state.counters["alone_dispatch_p50_us"] = percentile(alone_dispatch_us, 0.50);
  state.counters["alone_dispatch_p99_us"] = percentile(alone_dispatch_us, 0.99);
  state.counters["submit_p50_us"] = percentile(submit_us, 0.50);
  state.counters["alone_submit_p50_us"] = percentile(alone_submit_us, 0.50);
  state.counters["batched_p50_us"] = percentile(batched_us, 0.50);
  state.counters["unbatched_p50_us"] = percentile(unbatched_us, 0.50);
  state.counters["p50_ratio"] = percentile(batched_us, 0.50) / percentile(unbatched_us, 0.50);
  state.counters["mean_batch"] =
      static_cast<double>(batcher.stats().submitted) /
      static_cast<double>(std::max<std::uint64_t>(1, batcher.stats().batches));
}

NEAT_BENCH("batcher_c1", "neat", sweep_c1);
NEAT_BENCH("batcher_c2", "neat", sweep_c2);
NEAT_BENCH("batcher_c4", "neat", sweep_c4);
NEAT_BENCH("batcher_c8", "neat", sweep_c8);
NEAT_BENCH("batcher_c16", "neat", sweep_c16);
NEAT_BENCH("batcher_low_load", "neat", low_load);

}  // namespace
}  // namespace neat::bench
