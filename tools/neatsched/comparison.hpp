// The parallel run against the sequential baseline of DESIGN.md §4, as ratios measured in the
// same process: end-to-end time, CPU utilization and component wait time.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "neat/trace/run_metrics.hpp"

namespace neat::cli {

struct ComponentWait {
  std::string component;
  double sequential_us = 0.0;
  double parallel_us = 0.0;
};

struct BaselineComparison {
  std::size_t cpus = 1;  // utilization of both runs is measured against the parallel run's CPUs
  double sequential_makespan_us = 0.0;
  double parallel_makespan_us = 0.0;
  double sequential_utilization = 0.0;  // busy / (makespan * cpus)
  double parallel_utilization = 0.0;
  double sequential_wait_us = 0.0;  // ready -> start, summed over every operation
  double parallel_wait_us = 0.0;
  std::vector<ComponentWait> components;  // sorted by name

  /// 1 - parallel / sequential (0.42 = 42% lower); 0 when the baseline measured nothing.
  [[nodiscard]] double end_to_end_reduction() const;
  /// sequential / parallel makespan; 0 when the parallel one is 0.
  [[nodiscard]] double speedup() const;
  /// Percentage points gained: 100 * (parallel - sequential utilization).
  [[nodiscard]] double utilization_gain_points() const;
  /// 1 - parallel / sequential total wait; 0 when the baseline waited 0.
  [[nodiscard]] double wait_reduction() const;
};

/// Compare two runs of the same workload. `parallel.workers` gives the CPU count.
[[nodiscard]] BaselineComparison compare(const RunMetrics& sequential, const RunMetrics& parallel);

/// An aligned text table of the comparison, ending with a newline.
[[nodiscard]] std::string format_comparison(const BaselineComparison& comparison);

[[nodiscard]] nlohmann::ordered_json comparison_to_json(const BaselineComparison& comparison);

}  // namespace neat::cli
