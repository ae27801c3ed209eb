// idle/neat: what an idle executor costs and how fast it wakes.
//  - "wake": the workers have been asleep for 3 ms; one operation is submitted; the time from
//    submit() to the operation's first instruction is one sample (p50/p99 counters).
//  - "idle_cpu": process CPU time consumed while the executor sits idle for 1 s (cpu_ms_per_s).
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/neat_support.hpp"
#include "common/registry.hpp"

namespace neat::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// One iteration = 200 wake-ups, each after 3 ms of idleness; the iteration time is the whole
// wall time (so Google Benchmark runs about one iteration) and the latencies are counters.
void wake_neat(benchmark::State& state) {
  ParallelExecutor executor(executor_options(state));
  std::vector<double> latencies_us;
  for (auto _ : state) {
    const auto begin = SteadyClock::now();
    for (int i = 0; i < 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(3));  // every worker falls asleep
      std::atomic<std::int64_t> started_ns{0};
      const auto submitted = SteadyClock::now();
      executor.submit({}, [&] { started_ns.store((SteadyClock::now() - submitted).count()); })
          .wait();
      latencies_us.push_back(static_cast<double>(started_ns.load()) * 1e-3);
    }
    state.SetIterationTime(std::chrono::duration<double>(SteadyClock::now() - begin).count());
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  const auto at = [&](double q) {
    return latencies_us[static_cast<std::size_t>(q * static_cast<double>(latencies_us.size() - 1))];
  };
  state.counters["wake_p50_us"] = at(0.5);
  state.counters["wake_p99_us"] = at(0.99);
}

void idle_cpu_neat(benchmark::State& state) {
  ParallelExecutor executor(executor_options(state));
  executor.submit({}, [] {}).wait();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // past the spin phase
  double cpu_ms = 0;
  for (auto _ : state) {
    const double before = process_cpu_ms();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    cpu_ms = process_cpu_ms() - before;
    state.SetIterationTime(1.0);
  }
  state.counters["cpu_ms_per_s"] = cpu_ms;
}

NEAT_BENCH("wake", "neat", wake_neat);
NEAT_BENCH("idle_cpu", "neat", idle_cpu_neat);

}  // namespace
}  // namespace neat::bench
