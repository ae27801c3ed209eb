// Choosing a batch size with the BatchOptimizer: a profiled sweep over a kernel whose fixed
// per-call cost makes batching pay, the choice cached per (component, machine) and reused, then
// online feedback shrinking the size when the latency passes its limit. Every decision is
// printed by an Observer, with its reason.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <neat/batch/batch_optimizer.hpp>
#include <neat/trace/observer.hpp>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class PrintDecisions : public neat::Observer {
 public:
  void on_batch_decision(const neat::BatchDecisionEvent& e) override {
    std::printf("%.*s: %zu -> %zu (%.*s)\n", static_cast<int>(e.component.size()),
                e.component.data(), e.from, e.to, static_cast<int>(e.reason.size()),
                e.reason.data());
  }
};

// The stand-in kernel: 20 us of set-up per call, then 1 us per item (busy, like real work).
std::chrono::nanoseconds run_batch(std::size_t items) {
  const auto start = Clock::now();
  const auto until = start + 20us + std::chrono::microseconds(items);
  while (Clock::now() < until) {
  }
  return Clock::now() - start;
}

}  // namespace

int main() {
  const std::string cache =
      (std::filesystem::temp_directory_path() / "neat_example_batch_sizes.json").string();
  std::filesystem::remove(cache);
  PrintDecisions printer;
  const neat::BatchOptimizerOptions options{.component = "blt_encoder",
                                            .max_size = 128,
                                            .latency_limit = 100us,  // per batch
                                            .observer = &printer,
                                            .cache_file = cache};

  neat::BatchOptimizer first(options);
  const neat::TuneResult tuned = first.tune(run_batch);  // sweeps: no cache entry yet
  std::printf("sweep: %zu items per batch, %.0f items/s, %zu batches\n", tuned.size,
              tuned.items_per_second, tuned.batches);

  neat::BatchOptimizer second(options);  // same component and machine: loaded from the cache
  const neat::TuneResult reused = second.tune(run_batch);
  std::printf("reused: %zu items per batch, %zu batches run\n", reused.size, reused.batches);

  // Online: four batches in a row over the limit halve the size (confirm_batches = 4).
  for (int i = 0; i < 4; ++i) {
    second.record({.size = second.preferred_size(), .latency = 300us, .run_time = 300us});
  }
  std::printf("after slow batches: %zu items per batch\n", second.preferred_size());
  std::filesystem::remove(cache);

  const bool ok = tuned.batches > 0 && tuned.batches < 200 && reused.from_cache &&
                  reused.batches == 0 && reused.size == tuned.size &&
                  (tuned.size == 1 || second.preferred_size() < tuned.size);
  return ok ? 0 : 1;
}
