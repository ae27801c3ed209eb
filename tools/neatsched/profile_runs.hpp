// `neatsched run --profile FILE`: feed every completed operation's measured run time into a
// PerformanceProfiler (kind = kernel type, footprint = its sizes), print the prediction report
// and keep the profile in FILE for the next run on this machine.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "neat/sched/performance_profiler.hpp"
#include "neat/trace/run_metrics.hpp"
#include "neat/workload/workload.hpp"

namespace neat::cli {

/// Before running: load `path` when it exists and was taken on this hardware. A malformed file
/// is refused with InputError (bad input: nothing has run yet).
std::unique_ptr<PerformanceProfiler> open_profile(const std::string& path, std::ostream& out);

/// After running: record the runs of `metrics`, print the report to `out`, save to `path`.
void record_profile(PerformanceProfiler& profiler, const Workload& workload,
                    const BuiltWorkload& built, const RunMetrics& metrics,
                    const std::string& path, std::ostream& out);

}  // namespace neat::cli
