// scheduler/neat: the ExecutionScheduler's costs and its priority guarantee.
//  - "sched_submit": empty operations submitted from one thread; the timed span is the submit
//    loop only (submits_per_s), the workers run them meanwhile.
//  - "sched_submit_4threads": the same from four threads at once.
//  - "sched_inversions": 20,000 ready operations of random priorities (fixed seed) held back by
//    a gate on every worker, then released; counts operations dispatched while a more urgent
//    one was still waiting. The order is the order of the scheduler's start events (raised
//    under its lock), not of the operations' first instructions: on a loaded machine the OS
//    can pause a worker between the two, which says nothing about the scheduler. Target: 0.
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
  }
  state.counters["submits_per_s"] =
      static_cast<double>(k_submissions) * static_cast<double>(state.iterations()) / total;
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

NEAT_BENCH("sched_submit", "neat", sched_submit_one);
NEAT_BENCH("sched_submit_4threads", "neat", sched_submit_four);
NEAT_BENCH("sched_inversions", "neat", sched_inversions);

}  // namespace
}  // namespace neat::bench
