// Reports of RunMetrics: an aligned text table for terminals, JSON for tools, and folded stacks
// ("component;operation <microseconds>" lines) for flame graphs (flamegraph.pl, inferno,
// speedscope).
//
// Thread-safety: pure functions of their argument; safe from any thread. None blocks.
//
// Usage:
//   const neat::RunMetrics m = collector.metrics();
//   std::cout << neat::format_metrics_table(m);
//   std::ofstream("metrics.json") << neat::metrics_to_json(m);
//   std::ofstream("run.folded") << neat::folded_stacks(m);   // flamegraph.pl run.folded
#pragma once

#include <string>

#include "neat/trace/run_metrics.hpp"

namespace neat {

/// A readable, aligned table: a summary block, one row per worker, one row per component.
/// Times in microseconds, utilization in percent. Ends with a newline.
[[nodiscard]] std::string format_metrics_table(const RunMetrics& metrics);

/// The metrics as a JSON object (UTF-8 text, 2-space indent). Top-level keys: runs, workers,
/// makespan_us, busy_us, utilization, operations {executed, completed, failed, cancelled,
/// timed_out, unfinished}, steals, sleeps, wait_us and run_us {count, mean, p50, p95, max},
/// per_worker [{worker (index or null for the caller row), name, busy_us, idle_us,
/// utilization, operations, steals, sleeps}], per_component [{component, operations,
/// cancelled, total_run_us, mean_run_us, total_wait_us, mean_wait_us}], and when set,
/// bounds {total_work_us, critical_path_us, lower_bound_us, efficiency (null when unset)}.
/// With `include_operations`, also per_operation [{run_id, operation, name, component,
/// priority, status, worker, wait_us, run_us}] (null where unknown).
[[nodiscard]] std::string metrics_to_json(const RunMetrics& metrics,
                                          bool include_operations = false);

/// Folded stacks of the operations that ran: one line "component;operation <us>" per distinct
/// pair, the value being their total run time rounded to whole microseconds, lines sorted.
/// An empty component is "none", an anonymous operation "op#<index>"; ';' in a name becomes
/// ':' and control characters become ' ', so each line stays one well-formed stack.
[[nodiscard]] std::string folded_stacks(const RunMetrics& metrics);

}  // namespace neat
