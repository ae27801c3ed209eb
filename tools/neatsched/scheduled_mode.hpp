// `neatsched run` through the ExecutionScheduler: chosen by --scheduler, or on its own when the
// workload uses what only the scheduler honours (arrivals, deadlines, checkpoints, pipelines,
// request streams).
// Prints the ScheduledRun report (scheduled_report.hpp) and writes the trace.
#pragma once

#include <optional>
#include <string>

#include "commands.hpp"
#include "neat/workload/workload.hpp"

namespace neat::cli {

/// Whether `neatsched run` goes through the scheduler, and why: "--scheduler", or what in the
/// file needs it; nullopt for a graph run. Throws InputError when the file needs the scheduler
/// but a graph-only option (--sequential, --baseline, --repeat, --profile) was given, or
/// --no-batching for a file without request streams.
[[nodiscard]] std::optional<std::string> scheduler_mode(const RunOptions& options,
                                                        const Workload& workload);

/// Run `workload` with run_scheduled() and print the report. Returns k_exit_ok, also when
/// operations were cancelled or timed out; throws neat::Error (exit 1) after printing when an
/// operation or a pipeline failed, InputError for a dependency cycle.
int run_scheduled_mode(const RunOptions& options, const Workload& workload, const std::string& why);

}  // namespace neat::cli
