// MetricsCollector: an Observer that records executor events and, after the runs, computes
// what they cost: makespan, busy time and utilization per worker, wait (ready -> start) and run
// (start -> end) time per operation with summary statistics, steals and sleeps per worker,
// aggregates per component, and — given the graph's total work and critical path — the
// makespan lower bound max(critical path, work / P) and the efficiency lower bound / makespan.
// All times are microseconds (double).
//
// Thread-safety: the on_* callbacks may be called concurrently from every worker; each worker
// appends to its own buffer without a lock (events of non-workers, run begin/end and worker
// indices beyond `workers` take one mutex). metrics() and clear() may be called while workers
// record (idle workers report sleep/wake even between runs) but not concurrently with one
// another; they never block workers. metrics() describes the runs that ended: call it when no
// run is in flight (after RunHandle::wait() / ParallelExecutor::wait_for_all()); operations of
// a run still in flight are counted as `unfinished` or with partial times.
//
// Usage:
//   neat::MetricsCollector collector(workers);
//   neat::ParallelExecutor executor({.workers = workers, .observer = &collector});
//   executor.run(graph).wait();
//   const neat::CriticalPath cp = graph.critical_path();
//   neat::RunMetrics m = collector.metrics({.total_work_us = cp.total_work,
//                                           .critical_path_us = cp.length});
//   std::cout << neat::format_metrics_table(m);          // neat/trace/report.hpp
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neat/common/types.hpp"
#include "neat/trace/event_recorder.hpp"

namespace neat {
/// Summary of a set of durations. Percentiles are nearest-rank: pN is the smallest value such
/// that at least N% of the values are <= it. All zero when count == 0.
struct DurationSummary {
  std::size_t count = 0;
  double mean_us = 0.0;
  double p50_us = 0.0;
  double p95_us = 0.0;
  double max_us = 0.0;
};

/// One worker's share. `worker` is the index, or k_not_a_worker for the "caller" row: events of
/// threads that are not workers, present only when such a thread ran, stole or slept.
struct WorkerMetrics {
  std::size_t worker = 0;
  double busy_us = 0.0;        // sum of start -> end of the operations it ran
  double idle_us = 0.0;        // sum of its sleep -> wake spans
  double utilization = 0.0;    // busy_us / makespan_us (0 when the makespan is 0)
  std::size_t operations = 0;  // operations it ran (started and ended)
  std::size_t steals = 0;      // steals it made (as the thief)
  std::size_t sleeps = 0;
};

struct ComponentMetrics {
  std::string component;       // empty for operations without a component
  std::size_t operations = 0;  // operations that ran (started and ended)
  std::size_t cancelled = 0;   // operations that ended with status cancelled
  double total_run_us = 0.0;
  double mean_run_us = 0.0;    // total_run_us / operations
  double total_wait_us = 0.0;  // over the operations whose ready event was seen
  double mean_wait_us = 0.0;
};

/// One operation of one run that reached its terminal state.
struct OperationMetrics {
  std::uint64_t run_id = 0;
  std::uint32_t operation = 0;  // index within the run's graph
  std::string name;
  std::string component;
  ExecutionPriority priority = ExecutionPriority::medium;
  OpStatus status = OpStatus::completed;
  std::size_t worker = k_not_a_worker;  // where it ran (or ended, when it never started)
  std::optional<double> wait_us;        // ready -> start, when both were seen
  std::optional<double> run_us;         // start -> end, when it started
};

/// The caller's knowledge of the graph (e.g. from OperationDependencyGraph::critical_path()).
struct WorkBounds {
  double total_work_us = 0.0;
  double critical_path_us = 0.0;
};

struct RunMetrics {
  std::size_t runs = 0;
  std::size_t workers = 0;   // pool workers: the count given at construction, or more if seen
  double makespan_us = 0.0;  // first run begin -> last run end (without run events: first ->
                             // last event of any kind)
  double busy_us = 0.0;      // sum of the pool workers' busy_us (the caller row not included)
  double utilization = 0.0;  // busy_us / (makespan_us * workers)

  std::size_t executed = 0;  // started and ended
  std::size_t completed = 0;
  std::size_t failed = 0;
  std::size_t cancelled = 0;
  std::size_t timed_out = 0;
  std::size_t unfinished = 0;  // seen (ready or started) but never ended
  std::size_t steals = 0;
  std::size_t sleeps = 0;

  DurationSummary wait;  // ready -> start over the executed operations whose ready was seen
  DurationSummary run;   // start -> end over the executed operations

  std::vector<WorkerMetrics> per_worker;        // workers 0.., then the caller row if any
  std::vector<ComponentMetrics> per_component;  // sorted by component name
  std::vector<OperationMetrics> operations;     // sorted by (run_id, operation)

  // Set when the caller supplies WorkBounds.
  std::optional<double> total_work_us;
  std::optional<double> critical_path_us;
  std::optional<double> lower_bound_us;  // max(critical path, total work / workers)
  std::optional<double> efficiency;      // lower bound / makespan (unset when makespan is 0)
};

/// Makespan lower bound of a DAG on `workers` workers: max(critical_path_us, total_work_us /
/// workers). Throws neat::Error when workers is 0 or a time is negative or not finite.
[[nodiscard]] double lower_bound_us(double total_work_us, double critical_path_us,
                                    std::size_t workers);

/// Fill total_work_us, critical_path_us, lower_bound_us and efficiency of `metrics` from
/// `bounds` and metrics.workers. Throws like lower_bound_us().
void set_work_bounds(RunMetrics& metrics, const WorkBounds& bounds);

class MetricsCollector final : public EventRecorder {
 public:
  /// `workers`: the executor's worker count. Events of larger worker indices are still
  /// recorded (through the shared, locked buffer) and get their own rows.
  explicit MetricsCollector(std::size_t workers);
  ~MetricsCollector() override;
  MetricsCollector(const MetricsCollector&) = delete;
  MetricsCollector& operator=(const MetricsCollector&) = delete;

  /// Compute the metrics of every run seen since construction or clear(). Call when no run is
  /// in flight. Does not block workers; cost is O(events log events).
  [[nodiscard]] RunMetrics metrics() const;
  /// metrics() plus the lower bound and efficiency from `bounds` (see set_work_bounds()).
  [[nodiscard]] RunMetrics metrics(const WorkBounds& bounds) const;
};

}  // namespace neat
