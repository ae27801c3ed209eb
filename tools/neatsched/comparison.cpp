#include "comparison.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace neat::cli {
namespace {

double ratio_reduction(double baseline, double measured) {
  return baseline > 0.0 ? 1.0 - measured / baseline : 0.0;
}

double total_wait(const RunMetrics& m) {
  double total = 0.0;
  for (const ComponentMetrics& c : m.per_component) total += c.total_wait_us;
  return total;
}

std::string component_label(const std::string& name) {
  return name.empty() ? "(none)" : name;
}

}  // namespace

double BaselineComparison::end_to_end_reduction() const {
  return ratio_reduction(sequential_makespan_us, parallel_makespan_us);
}

double BaselineComparison::speedup() const {
  return parallel_makespan_us > 0.0 ? sequential_makespan_us / parallel_makespan_us : 0.0;
}

double BaselineComparison::utilization_gain_points() const {
  return 100.0 * (parallel_utilization - sequential_utilization);
}

double BaselineComparison::wait_reduction() const {
  return ratio_reduction(sequential_wait_us, parallel_wait_us);
}

BaselineComparison compare(const RunMetrics& sequential, const RunMetrics& parallel) {
  BaselineComparison c;
  c.cpus = std::max<std::size_t>(parallel.workers, 1);
  c.sequential_makespan_us = sequential.makespan_us;
  c.parallel_makespan_us = parallel.makespan_us;
  const auto utilization = [&](const RunMetrics& m) {
    return m.makespan_us > 0.0 ? m.busy_us / (m.makespan_us * static_cast<double>(c.cpus)) : 0.0;
  };
  c.sequential_utilization = utilization(sequential);
  c.parallel_utilization = utilization(parallel);
  c.sequential_wait_us = total_wait(sequential);
  c.parallel_wait_us = total_wait(parallel);
  std::map<std::string, ComponentWait> by_name;
  for (const ComponentMetrics& m : sequential.per_component) {
    by_name[m.component].sequential_us = m.total_wait_us;
  }
  for (const ComponentMetrics& m : parallel.per_component) {
    by_name[m.component].parallel_us = m.total_wait_us;
  }
  for (auto& [name, wait] : by_name) {
    wait.component = name;
    c.components.push_back(wait);
  }
  return c;
}

std::string format_comparison(const BaselineComparison& c) {
  std::string out = fmt::format(
      "baseline: the same operations one after another on one thread, in the same process\n"
      "{:<28} {:>12} {:>12} {:>14}\n",
      "", "sequential", "parallel", "change");
  out += fmt::format("{:<28} {:>12.2f} {:>12.2f} {:>+13.1f}%  ({:.2f}x)\n", "end-to-end time (ms)",
                     c.sequential_makespan_us / 1e3, c.parallel_makespan_us / 1e3,
                     -100.0 * c.end_to_end_reduction(), c.speedup());
  out += fmt::format("{:<28} {:>11.1f}% {:>11.1f}% {:>+8.1f} points\n",
                     fmt::format("CPU utilization ({} CPUs)", c.cpus),
                     100.0 * c.sequential_utilization, 100.0 * c.parallel_utilization,
                     c.utilization_gain_points());
  out += fmt::format("{:<28} {:>12.2f} {:>12.2f} {:>+13.1f}%\n", "component wait (ms)",
                     c.sequential_wait_us / 1e3, c.parallel_wait_us / 1e3,
                     -100.0 * c.wait_reduction());
  for (const ComponentWait& w : c.components) {
    out += fmt::format("  {:<26} {:>12.2f} {:>12.2f} {:>+13.1f}%\n", component_label(w.component),
                       w.sequential_us / 1e3, w.parallel_us / 1e3,
                       -100.0 * ratio_reduction(w.sequential_us, w.parallel_us));
  }
  return out;
}

nlohmann::ordered_json comparison_to_json(const BaselineComparison& c) {
  nlohmann::ordered_json components = nlohmann::ordered_json::array();
  for (const ComponentWait& w : c.components) {
    components.push_back({{"component", w.component},
                          {"sequential_wait_us", w.sequential_us},
                          {"parallel_wait_us", w.parallel_us},
                          {"wait_reduction", ratio_reduction(w.sequential_us, w.parallel_us)}});
  }
  return {{"cpus", c.cpus},
          {"sequential_makespan_us", c.sequential_makespan_us},
          {"parallel_makespan_us", c.parallel_makespan_us},
          {"end_to_end_reduction", c.end_to_end_reduction()},
          {"speedup", c.speedup()},
          {"sequential_utilization", c.sequential_utilization},
          {"parallel_utilization", c.parallel_utilization},
          {"utilization_gain_points", c.utilization_gain_points()},
          {"sequential_wait_us", c.sequential_wait_us},
          {"parallel_wait_us", c.parallel_wait_us},
          {"wait_reduction", c.wait_reduction()},
          {"per_component", components}};
}

}  // namespace neat::cli
