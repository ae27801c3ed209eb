// scheduler/neat: the ExecutionScheduler's costs and its priority guarantee.
//  - "sched_submit": empty operations submitted from one thread; the timed span is the submit
//    loop only (submits_per_s), the workers run them meanwhile. completed_per_s counts until
//    the last one has run (wait_idle), the rate the workers sustain.
//  - "sched_submit_4threads": the same from four threads at once.
//  - "sched_inversions": 20,000 ready operations of random priorities (fixed seed) held back by
//    a gate on every worker, then released; counts operations dispatched while a more urgent
//    one was still waiting. The order is the order of the scheduler's start events (raised
//    under its lock), not of the operations' first instructions: on a loaded machine the OS
//    can pause a worker between the two, which says nothing about the scheduler. Target: 0.
//  - "sched_checkpoint": one coroutine operation passing 10 million checkpoints with nothing
//    waiting: ns per checkpoint. Target < 5 ns.
//  - "sched_preempt" / "sched_no_preempt": every worker runs a 100 ms low-priority operation
//    (100 us of spin between checkpoints; as a coroutine, or as a plain callable that cannot
//    yield), then a critical operation is submitted: latency from submit to its first
//    instruction, p50/p99 over 20 trials. Target p99 < 1 ms with preemption.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "neat/sched/execution_scheduler.hpp"
#include "neat/sched/task.hpp"

namespace neat::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::size_t k_submissions = 100000;

void submit_from(ExecutionScheduler& scheduler, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) (void)scheduler.submit({}, [] {});
}

void sched_submit(benchmark::State& state, std::size_t threads) {
  ParallelExecutor executor(executor_options(state));
  ExecutionScheduler scheduler(executor);
  double total = 0;
  double total_to_idle = 0;
  for (auto _ : state) {
    const auto begin = SteadyClock::now();
    std::vector<std::thread> submitters;
    for (std::size_t t = 1; t < threads; ++t) {
      submitters.emplace_back([&] { submit_from(scheduler, k_submissions / threads); });
    }
    submit_from(scheduler, k_submissions / threads);
    for (std::thread& t : submitters) t.join();
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - begin).count();
    state.SetIterationTime(seconds);
    total += seconds;
    scheduler.wait_idle();
    total_to_idle += std::chrono::duration<double>(SteadyClock::now() - begin).count();
  }
  const double submitted =
      static_cast<double>(k_submissions) * static_cast<double>(state.iterations());
  state.counters["submits_per_s"] = submitted / total;
  state.counters["completed_per_s"] = submitted / total_to_idle;
}

void sched_submit_one(benchmark::State& state) { sched_submit(state, 1); }
void sched_submit_four(benchmark::State& state) { sched_submit(state, 4); }

// Records the priority of every scheduler operation in the order it was dispatched.
class DispatchOrder : public Observer {
 public:
  void on_operation_start(const OperationEvent& e) override {
    if (e.run_id != 0) return;
    std::lock_guard<std::mutex> lock(mutex_);
    levels_.push_back(static_cast<int>(e.priority));
  }
  std::vector<int> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(levels_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<int> levels_;
};

std::size_t count_inversions(const std::vector<int>& levels) {
  std::vector<int> later_min(levels.size() + 1, 4);
  for (std::size_t i = levels.size(); i-- > 0;) later_min[i] = std::min(later_min[i + 1], levels[i]);
  std::size_t inversions = 0;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (later_min[i + 1] < levels[i]) ++inversions;
  }
  return inversions;
}

void sched_inversions(benchmark::State& state) {
  constexpr std::size_t k_ops = 20000;
  const auto workers = static_cast<std::size_t>(workers_arg(state));
  DispatchOrder order;
  ExecutorOptions options = executor_options(state);
  options.observer = &order;
  ParallelExecutor executor(options);
  ExecutionScheduler scheduler(executor, SchedulerOptions{.aging_quantum = std::chrono::nanoseconds(0)});
  std::size_t inversions = 0;
  for (auto _ : state) {
    std::atomic<bool> open{false};
    std::atomic<std::size_t> gated{0};
    for (std::size_t w = 0; w < workers; ++w) {
      (void)scheduler.submit({.descriptor = {.priority = ExecutionPriority::critical}}, [&] {
        gated.fetch_add(1);
        while (!open.load()) std::this_thread::yield();
      });
    }
    while (gated.load() < workers) std::this_thread::yield();
    (void)order.take();  // the gates
    std::mt19937 rng(7);
    for (std::size_t i = 0; i < k_ops; ++i) {
      const auto level = static_cast<ExecutionPriority>(rng() % 4);
      (void)scheduler.submit({.descriptor = {.priority = level}}, [] {});
    }
    const auto begin = SteadyClock::now();
    open.store(true);
    scheduler.wait_idle();
    state.SetIterationTime(std::chrono::duration<double>(SteadyClock::now() - begin).count());
    const std::vector<int> levels = order.take();
    if (levels.size() != k_ops) state.SkipWithError("not every operation was dispatched");
    inversions = count_inversions(levels);
  }
  state.counters["inversions"] = static_cast<double>(inversions);
  state.counters["operations"] = static_cast<double>(k_ops);
}

void spin_for(std::chrono::microseconds duration) {
  const auto end = SteadyClock::now() + duration;
  while (SteadyClock::now() < end) {
  }
}

void sched_checkpoint(benchmark::State& state) {
  constexpr long k_checkpoints = 10'000'000;
  ParallelExecutor executor(executor_options(state));
  ExecutionScheduler scheduler(executor);
  for (auto _ : state) {
    double seconds = 0;
    auto op = scheduler.submit({}, [&](OpContext& ctx) -> Task<void> {
      const auto begin = SteadyClock::now();
      for (long i = 0; i < k_checkpoints; ++i) co_await ctx.checkpoint();
      seconds = std::chrono::duration<double>(SteadyClock::now() - begin).count();
    });
    op.get();
    state.SetIterationTime(seconds);
    state.counters["ns_per_checkpoint"] = seconds * 1e9 / static_cast<double>(k_checkpoints);
  }
}

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
}

void preemption_latency(benchmark::State& state, bool coroutines) {
  const auto workers = static_cast<std::size_t>(workers_arg(state));
  ParallelExecutor executor(executor_options(state));
  ExecutionScheduler scheduler(executor);
  std::vector<double> latencies_us;
  for (auto _ : state) {
    const auto trial_begin = SteadyClock::now();
    for (int trial = 0; trial < 20; ++trial) {
      std::atomic<std::size_t> running{0};
      std::vector<OpRef> background;
      for (std::size_t w = 0; w < workers; ++w) {
        const Submission low{.descriptor = {.priority = ExecutionPriority::low}};
        if (coroutines) {
          background.push_back(scheduler.submit(low, [&](OpContext& ctx) -> Task<void> {
            running.fetch_add(1);
            for (int i = 0; i < 1000; ++i) {  // 1000 x 100 us = 100 ms
              spin_for(std::chrono::microseconds(100));
              co_await ctx.checkpoint();
            }
          }));
        } else {
          background.push_back(scheduler.submit(low, [&] {
            running.fetch_add(1);
            spin_for(std::chrono::milliseconds(100));
          }));
        }
      }
      while (running.load() < workers) std::this_thread::yield();
      std::this_thread::sleep_for(std::chrono::milliseconds(5 + trial % 7));
      std::atomic<std::int64_t> latency_ns{0};
      const auto submitted = SteadyClock::now();
      scheduler.submit({.descriptor = {.priority = ExecutionPriority::critical}}, [&] {
        latency_ns.store((SteadyClock::now() - submitted).count());
      }).get();
      latencies_us.push_back(static_cast<double>(latency_ns.load()) * 1e-3);
      for (const OpRef& b : background) b.cancel();  // the rest is not needed
      scheduler.wait_idle();
    }
    state.SetIterationTime(std::chrono::duration<double>(SteadyClock::now() - trial_begin).count());
  }
  state.counters["latency_p50_us"] = percentile(latencies_us, 0.5);
  state.counters["latency_p99_us"] = percentile(latencies_us, 0.99);
}

void sched_preempt(benchmark::State& state) { preemption_latency(state, true); }
void sched_no_preempt(benchmark::State& state) { preemption_latency(state, false); }

NEAT_BENCH("sched_checkpoint", "neat", sched_checkpoint);
NEAT_BENCH("sched_preempt", "neat", sched_preempt);
NEAT_BENCH("sched_no_preempt", "neat", sched_no_preempt);
NEAT_BENCH("sched_submit", "neat", sched_submit_one);
NEAT_BENCH("sched_submit_4threads", "neat", sched_submit_four);
NEAT_BENCH("sched_inversions", "neat", sched_inversions);

}  // namespace
}  // namespace neat::bench
