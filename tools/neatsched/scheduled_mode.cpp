#include "scheduled_mode.hpp"

#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "cli_common.hpp"
#include "neat/resources/cpu_budget.hpp"
#include "neat/trace/chrome_trace.hpp"
#include "neat/workload/scheduled_run.hpp"
#include "scheduled_report.hpp"

namespace neat::cli {
namespace {

// The first graph-only option given, or nullptr.
const char* graph_only_option(const RunOptions& options) {
  if (options.sequential) return "--sequential";
  if (options.baseline) return "--baseline";
  if (options.repeat != 1) return "--repeat";
  if (!options.profile.empty()) return "--profile";
  return nullptr;
}

ScheduledRun run(const Workload& workload, const RunOptions& options, std::size_t workers,
                 Observer* observer) {
  ParallelExecutor executor({.workers = workers, .observer = observer});
  try {
    return run_scheduled(workload, executor, {.batching = !options.no_batching});
  } catch (const CycleError& e) {
    throw InputError(fmt::format("{}: {}", workload.source, e.what()));
  }
}

// ", 2 request streams (no batching)", or "" for a file without streams.
std::string streams_summary(const Workload& workload, const RunOptions& options) {
  const std::size_t n = workload.request_streams.size();
  if (n == 0) return "";
  return fmt::format(", {} request stream{}{}", n, n == 1 ? "" : "s",
                     options.no_batching ? " (no batching)" : "");
}

}  // namespace

std::optional<std::string> scheduler_mode(const RunOptions& options, const Workload& workload) {
  if (options.no_batching && workload.request_streams.empty()) {
    throw InputError(fmt::format("{} has no request streams; --no-batching applies to them only",
                                 workload.source));
  }
  const std::optional<std::string> feature = scheduler_feature(workload);
  const char* graph_only = graph_only_option(options);
  if (options.scheduler) {
    // CLI11 refuses the combinations with --scheduler itself.
    return std::string("--scheduler");
  }
  if (!feature) return std::nullopt;
  if (graph_only != nullptr) {
    throw InputError(fmt::format("{} needs a scheduler run ({}); {} applies to graph runs only",
                                 workload.source, *feature, graph_only));
  }
  return feature;
}

int run_scheduled_mode(const RunOptions& options, const Workload& workload,
                       const std::string& why) {
  const std::size_t workers = options.workers != 0 ? options.workers : read_cpu_budget().usable;
  std::optional<ChromeTraceWriter> trace;
  if (!options.trace.empty()) trace.emplace(workers);
  const ScheduledRun result = run(workload, options, workers, trace ? &*trace : nullptr);
  if (trace) trace->write_file(options.trace);
  if (options.json) {
    nlohmann::ordered_json out = {
        {"workload",
         {{"name", workload.name},
          {"source", workload.source},
          {"operations", workload.operations.size()},
          {"pipelines", workload.pipelines.size()},
          {"request_streams", workload.request_streams.size()}}},
        {"mode", "scheduler"},
        {"why", why},
        {"workers", workers},
        {"batching", !options.no_batching},
        {"report", scheduled_run_to_json(result, workload)},
    };
    if (!options.trace.empty()) out["trace"] = options.trace;
    std::cout << out.dump(2) << '\n';
  } else {
    std::cout << fmt::format(
        "workload {}: {} operations, {} pipeline{}{}; scheduler on {} workers ({})\n\n",
        describe(workload), workload.operations.size(), workload.pipelines.size(),
        workload.pipelines.size() == 1 ? "" : "s", streams_summary(workload, options), workers,
        why);
    std::cout << format_scheduled_run(result, workload);
    if (!options.trace.empty()) {
      std::cout << fmt::format("\ntrace written to {} (open it in https://ui.perfetto.dev)\n",
                               options.trace);
    }
  }
  std::cout.flush();
  const std::string failure = result.first_failure();
  if (!failure.empty()) throw Error(failure);
  return k_exit_ok;
}

}  // namespace neat::cli
