#include "neat/trace/run_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <utility>

#include "neat/common/error.hpp"
#include "trace/event_log.hpp"

namespace neat {
namespace {

using detail::EventKind;
using detail::micros_between;
using detail::Timeline;

// Nearest rank: the value at 1-based rank ceil(percent * n / 100), at least rank 1.
double nearest_rank(const std::vector<double>& sorted, std::size_t percent) {
  const std::size_t rank = std::max<std::size_t>(1, (percent * sorted.size() + 99) / 100);
  return sorted[rank - 1];
}

DurationSummary summarize(std::vector<double> values) {
  DurationSummary summary;
  if (values.empty()) return summary;
  std::sort(values.begin(), values.end());
  summary.count = values.size();
  summary.mean_us =
      std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  summary.p50_us = nearest_rank(values, 50);
  summary.p95_us = nearest_rank(values, 95);
  summary.max_us = values.back();
  return summary;
}

double makespan_of(const Timeline& timeline) {
  std::optional<Clock::time_point> begin;
  std::optional<Clock::time_point> end;
  for (const auto& run : timeline.runs) {
    if (run.begin && (!begin || *run.begin < *begin)) begin = run.begin;
    if (run.end && (!end || *run.end > *end)) end = run.end;
  }
  if (!begin || !end) {
    begin = timeline.first;
    end = timeline.last;
  }
  if (!begin) return 0.0;
  return std::max(0.0, micros_between(*begin, *end));
}

// Accumulates per-operation numbers into the worker, component and run totals.
class MetricsBuilder {
 public:
  MetricsBuilder(const Timeline& timeline, std::size_t workers) : timeline_(timeline) {
    metrics_.workers = std::max(workers, timeline.worker_rows);
    metrics_.runs = timeline.runs.size();
    metrics_.makespan_us = makespan_of(timeline);
    for (std::size_t w = 0; w < metrics_.workers; ++w) metrics_.per_worker.push_back({.worker = w});
  }

  RunMetrics build() {
    for (const auto& op : timeline_.operations) add_operation(op);
    for (const auto& steal : timeline_.steals) ++row(steal.thief).steals;
    for (const auto& idle : timeline_.idle) {
      WorkerMetrics& worker = row(idle.worker);
      ++worker.sleeps;
      worker.idle_us += micros_between(idle.begin, idle.end);
    }
    finish_workers();
    finish_components();
    metrics_.wait = summarize(std::move(waits_));
    metrics_.run = summarize(std::move(runs_));
    std::sort(metrics_.operations.begin(), metrics_.operations.end(),
              [](const OperationMetrics& a, const OperationMetrics& b) {
                return a.run_id != b.run_id ? a.run_id < b.run_id : a.operation < b.operation;
              });
    return std::move(metrics_);
  }

 private:
  WorkerMetrics& row(std::size_t worker) {
    if (worker != k_not_a_worker) return metrics_.per_worker[worker];
    if (!caller_) caller_ = WorkerMetrics{.worker = k_not_a_worker};
    return *caller_;
  }

  void add_operation(const detail::OperationTimeline& op) {
    if (!op.end) {
      ++metrics_.unfinished;
      return;
    }
    count_status(op.status);
    ComponentMetrics& component = components_[std::string(op.component)];
    if (op.status == OpStatus::cancelled) ++component.cancelled;
    OperationMetrics& out =
        metrics_.operations.emplace_back(OperationMetrics{.run_id = op.run_id,
                                                          .operation = op.operation,
                                                          .name = std::string(op.name),
                                                          .component = std::string(op.component),
                                                          .priority = op.priority,
                                                          .status = op.status,
                                                          .worker = op.worker,
                                                          .wait_us = std::nullopt,
                                                          .run_us = std::nullopt});
    if (!op.start) return;
    // Paused and resumed: the time it ran, not the span from first start to last end.
    double run = micros_between(*op.start, *op.end);
    if (op.segments.size() > 1) {
      run = 0;
      for (const auto& seg : op.segments) {
        if (seg.end) run += micros_between(seg.begin, *seg.end);
      }
    }
    out.run_us = run;
    runs_.push_back(run);
    ++metrics_.executed;
    WorkerMetrics& worker = row(op.worker);
    worker.busy_us += run;
    ++worker.operations;
    ++component.operations;
    component.total_run_us += run;
    if (!op.ready) return;
    const double wait = micros_between(*op.ready, *op.start);
    out.wait_us = wait;
    waits_.push_back(wait);
    component.total_wait_us += wait;
    ++waits_by_component_[std::string(op.component)];
  }

  void count_status(OpStatus status) {
    switch (status) {
      case OpStatus::completed:
        ++metrics_.completed;
        break;
      case OpStatus::failed:
        ++metrics_.failed;
        break;
      case OpStatus::cancelled:
        ++metrics_.cancelled;
        break;
      case OpStatus::timed_out:
        ++metrics_.timed_out;
        break;
      default:
        break;  // not terminal: an executor bug, counted nowhere but executed
    }
  }

  void finish_workers() {
    const double makespan = metrics_.makespan_us;
    for (WorkerMetrics& worker : metrics_.per_worker) {
      worker.utilization = makespan > 0.0 ? worker.busy_us / makespan : 0.0;
      metrics_.busy_us += worker.busy_us;
    }
    if (caller_) {
      caller_->utilization = makespan > 0.0 ? caller_->busy_us / makespan : 0.0;
      metrics_.per_worker.push_back(*caller_);
    }
    const double capacity = makespan * static_cast<double>(metrics_.workers);
    metrics_.utilization = capacity > 0.0 ? metrics_.busy_us / capacity : 0.0;
    for (const WorkerMetrics& worker : metrics_.per_worker) {
      metrics_.steals += worker.steals;
      metrics_.sleeps += worker.sleeps;
    }
  }

  void finish_components() {
    for (auto& [name, component] : components_) {
      component.component = name;
      if (component.operations > 0) {
        component.mean_run_us = component.total_run_us / static_cast<double>(component.operations);
      }
      if (const std::size_t waits = waits_by_component_[name]; waits > 0) {
        component.mean_wait_us = component.total_wait_us / static_cast<double>(waits);
      }
      metrics_.per_component.push_back(std::move(component));
    }
  }

  const Timeline& timeline_;
  RunMetrics metrics_;
  std::optional<WorkerMetrics> caller_;
  std::map<std::string, ComponentMetrics> components_;
  std::map<std::string, std::size_t> waits_by_component_;
  std::vector<double> waits_;
  std::vector<double> runs_;
};

void check_time(const char* what, double value) {
  if (!std::isfinite(value) || value < 0.0) {
    throw Error(fmt::format("lower_bound_us: {} must be a finite time >= 0, got {}", what, value));
  }
}

}  // namespace

double lower_bound_us(double total_work_us, double critical_path_us, std::size_t workers) {
  if (workers == 0) throw Error("lower_bound_us: workers must be at least 1, got 0");
  check_time("total_work_us", total_work_us);
  check_time("critical_path_us", critical_path_us);
  return std::max(critical_path_us, total_work_us / static_cast<double>(workers));
}

void set_work_bounds(RunMetrics& metrics, const WorkBounds& bounds) {
  const double bound =
      lower_bound_us(bounds.total_work_us, bounds.critical_path_us, metrics.workers);
  metrics.total_work_us = bounds.total_work_us;
  metrics.critical_path_us = bounds.critical_path_us;
  metrics.lower_bound_us = bound;
  metrics.efficiency.reset();
  if (metrics.makespan_us > 0.0) metrics.efficiency = bound / metrics.makespan_us;
}

MetricsCollector::MetricsCollector(std::size_t workers)
    : EventRecorder(workers) {}

MetricsCollector::~MetricsCollector() = default;

RunMetrics MetricsCollector::metrics() const {
  const Timeline timeline = log().timeline();
  return MetricsBuilder(timeline, log().workers()).build();
}

RunMetrics MetricsCollector::metrics(const WorkBounds& bounds) const {
  RunMetrics result = metrics();
  set_work_bounds(result, bounds);
  return result;
}



}  // namespace neat
