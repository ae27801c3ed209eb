// The report of a scheduler run (neat::ScheduledRun) as an aligned text table and as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "neat/workload/scheduled_run.hpp"

namespace neat::cli {

/// Operations (one row each, then why those that did not complete ended as they did), start
/// latency per priority level, pipelines, request streams, the scheduler's counters and the
/// makespan. Times in milliseconds. Ends with a newline.
[[nodiscard]] std::string format_scheduled_run(const ScheduledRun& run, const Workload& workload);

/// {makespan_us, operations {submitted, completed, failed, cancelled, timed_out},
///  scheduler {preemptions, parked, promoted, inherited, long_running},
///  start_latency [{priority, operations, started, mean_us, max_us}],
///  per_operation [{name, component, priority, effective_priority, status, reason, preemptible,
///                  arrive_ms, deadline_ms, submitted_us, start_latency_us, finished_us, pauses}],
///  pipelines [{name, component, status, reason, items, items_completed, in_flight, started_us,
///              finished_us, items_per_second}],
///  request_streams [...] (stream_report.hpp)}; null where a value is unknown.
[[nodiscard]] nlohmann::ordered_json scheduled_run_to_json(const ScheduledRun& run,
                                                           const Workload& workload);

}  // namespace neat::cli
