// Micro-batches through an ExecutionPipeline (transfer, compute, post-process overlap), with
// each batch's compute time fed to a PerformanceProfiler that then predicts an unseen size.
#include <neat/neat.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <thread>
#include <vector>

struct Batch {
  int index = 0;
  std::vector<float> values;
  double sum = 0.0;
};

int main() {
  neat::ParallelExecutor executor(neat::ExecutorOptions{.workers = 2});
  neat::PerformanceProfiler profiler;

  int produced = 0;
  std::vector<double> sums;
  neat::ExecutionPipeline<Batch> pipeline({.name = "ingest", .max_in_flight = 4});
  pipeline
      .source([&]() -> std::optional<Batch> {
        if (produced == 12) return std::nullopt;
        const int size = 1000 * (1 + produced % 4);  // four batch sizes
        return Batch{produced++, std::vector<float>(static_cast<std::size_t>(size), 1.0f), 0.0};
      })
      .stage({.name = "transfer", .kind = neat::StageKind::serial},
             [](Batch&) { std::this_thread::sleep_for(std::chrono::microseconds(300)); })
      .stage({.name = "compute"},
             [&](Batch& b) {
               neat::ProfileScope scope(profiler, "square_sum",
                                        neat::make_footprint(b.values.size()));
               for (float& v : b.values) v = std::sqrt(v * 4.0f);
               b.sum = std::accumulate(b.values.begin(), b.values.end(), 0.0);
             })
      .sink([&](Batch&& b) { sums.push_back(b.sum); });  // in source order
  pipeline.run(executor).wait();

  const std::optional<double> predicted = profiler.predict_us("square_sum", {8000.0});
  std::printf("%zu batches, first sum %.0f, last sum %.0f\n", sums.size(), sums.front(),
              sums.back());
  std::printf("predicted compute time for 8000 values: %s\n",
              predicted ? (std::to_string(*predicted) + " us").c_str() : "not enough data");
  std::printf("%s", neat::format_profiler_report(profiler.report()).c_str());
  return sums.size() == 12 && sums.front() == 2000.0 && predicted.has_value() ? 0 : 1;
}
