// The request streams of a scheduler run (neat::ScheduledStream) as a text table and as JSON;
// part of the scheduled report (scheduled_report.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "neat/workload/scheduled_run.hpp"

namespace neat::cli {

/// One row per stream (arrivals, outcomes, batches, throughput, latency percentiles in ms),
/// then per stream why its batches fired, its memory peak and its first failure. "" when the
/// run has no streams; otherwise ends with a newline.
[[nodiscard]] std::string format_streams(const ScheduledRun& run, const Workload& workload);

/// [{name, component, priority, batching, arrival ("uniform", "poisson" or "closed"),
///   rate_per_s, clients, requests, completed, failed, timed_out, refused, late, reason,
///   batches, failed_batches, mean_batch_size, max_batch_size,
///   fired {full, delay, sparse, free_slot, late, critical, flush},
///   started_us, finished_us, requests_per_second,
///   latency_us {p50, p95, p99, mean, max}, memory_peak_bytes}], in workload order; null where a
/// value does not apply (rate_per_s of a closed loop, clients of an open loop, latency_us when
/// no request completed).
[[nodiscard]] nlohmann::ordered_json streams_to_json(const ScheduledRun& run,
                                                     const Workload& workload);

}  // namespace neat::cli
