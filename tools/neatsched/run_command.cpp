// `neatsched run [WORKLOAD.json]`: run a workload on the ParallelExecutor (or sequentially, or
// through the ExecutionScheduler: scheduled_mode.hpp), print the metrics, optionally write a
// Chrome trace and compare with the sequential baseline.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli_common.hpp"
#include "commands.hpp"
#include "comparison.hpp"
#include "neat/core/executor.hpp"
#include "neat/resources/cpu_budget.hpp"
#include "neat/trace/chrome_trace.hpp"
#include "neat/trace/multicast_observer.hpp"
#include "neat/trace/report.hpp"
#include "neat/trace/run_metrics.hpp"
#include "profile_runs.hpp"
#include "scheduled_mode.hpp"

namespace neat::cli {
namespace {

// Wait for a run; when it failed, add to the error what never ran and why (exit 1).
void wait_reporting(const RunHandle& run) {
  try {
    run.wait();
  } catch (const OperationFailed& e) {
    std::string message = e.what();
    for (const NotRunOperation& op : run.not_run()) {
      message += fmt::format("\n  not run: {} ({}): {}", op.name, to_string(op.status), op.reason);
    }
    throw Error(message);
  }
}

// `repeat` runs on a fresh executor; the executor is gone (no more events) before the metrics
// are read.
RunMetrics run_parallel(OperationDependencyGraph& graph, std::size_t workers, std::size_t repeat,
                        const WorkBounds& bounds, Observer* trace) {
  MetricsCollector collector(workers);
  MulticastObserver observers;
  observers.add(collector);
  if (trace != nullptr) observers.add(*trace);
  {
    ParallelExecutor executor({.workers = workers, .observer = &observers});
    for (std::size_t i = 0; i < repeat; ++i) wait_reporting(executor.run(graph));
  }
  return collector.metrics(bounds);
}

RunMetrics run_serial(const BuiltWorkload& built, std::size_t repeat, const WorkBounds& bounds,
                      Observer* trace) {
  MetricsCollector collector(1);
  MulticastObserver observers;
  observers.add(collector);
  if (trace != nullptr) observers.add(*trace);
  for (std::size_t i = 0; i < repeat; ++i) (void)run_sequential(built, &observers);
  return collector.metrics(bounds);
}

// Refuse an unwritable trace path before running rather than after (bad usage: exit 2).
void check_writable(const std::string& path) {
  std::ofstream probe(path, std::ios::app);
  if (!probe) {
    throw InputError(
        fmt::format("cannot write the trace file '{}': {}", path, std::strerror(errno)));
  }
}

nlohmann::ordered_json metrics_json(const RunMetrics& metrics) {
  return nlohmann::ordered_json::parse(metrics_to_json(metrics));
}

void print_json(const Workload& workload, const OperationDependencyGraph& graph,
                const RunOptions& options, std::size_t workers, const RunMetrics& metrics,
                const std::optional<RunMetrics>& baseline) {
  nlohmann::ordered_json out = {
      {"workload",
       {{"name", workload.name},
        {"source", workload.source},
        {"operations", graph.size()},
        {"edges", graph.edge_count()}}},
      {"mode", options.sequential ? "sequential" : "parallel"},
      {"workers", workers},
      {"repeat", options.repeat},
      {"metrics", metrics_json(metrics)},
  };
  if (!options.trace.empty()) out["trace"] = options.trace;
  if (baseline) {
    out["baseline"] = metrics_json(*baseline);
    out["comparison"] = comparison_to_json(compare(*baseline, metrics));
  }
  std::cout << out.dump(2) << '\n';
}

void print_text(const Workload& workload, const OperationDependencyGraph& graph,
                const RunOptions& options, std::size_t workers, const RunMetrics& metrics,
                const std::optional<RunMetrics>& baseline) {
  std::cout << fmt::format("workload {}: {} operations, {} edges; {} {}, {} run{}\n\n",
                           describe(workload), graph.size(), graph.edge_count(),
                           options.sequential ? "sequential on" : "parallel on",
                           options.sequential ? "1 thread" : fmt::format("{} workers", workers),
                           options.repeat, options.repeat == 1 ? "" : "s");
  std::cout << format_metrics_table(metrics);
  if (baseline) std::cout << '\n' << format_comparison(compare(*baseline, metrics));
  if (!options.trace.empty()) {
    std::cout << fmt::format("\ntrace written to {} (open it in https://ui.perfetto.dev)\n",
                             options.trace);
  }
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& options) {
  CLI::App* run = app.add_subcommand(
      "run", "Run a workload file (default: the built-in NEAT workload) and print its metrics.");
  run->add_option("workload", options.workload, "Workload JSON file (docs/workload-format.md)")
      ->type_name("WORKLOAD.json");
  CLI::Option* workers =
      run->add_option("-w,--workers", options.workers, "Executor workers (0: one per usable CPU)")
          ->type_name("N")
          ->check(CLI::Range(0, 4096));
  CLI::Option* sequential =
      run->add_flag("--sequential", options.sequential,
                    "Run every operation one after another on this thread (the baseline) instead");
  run->add_flag("--baseline", options.baseline,
                "Also run the sequential baseline in this process and print the ratios")
      ->excludes(sequential);
  sequential->excludes(workers);
  run->add_option("--trace", options.trace, "Write a Chrome trace (open in ui.perfetto.dev)")
      ->type_name("FILE");
  run->add_flag("--json", options.json, "Print the metrics as JSON instead of a table");
  run->add_option("--repeat", options.repeat, "Run the workload N times (metrics cover all runs)")
      ->check(CLI::Range(1, 100000))
      ->type_name("N");
  CLI::Option* profile =
      run->add_option("--profile", options.profile,
                      "Learn run times per kernel and size into FILE (read first when it was "
                      "taken on this machine) and print the prediction error")
          ->type_name("FILE");
  run->add_flag("--scheduler", options.scheduler,
                "Submit the operations through the ExecutionScheduler at their arrival times, "
                "with deadlines, preemption at checkpoints and the pipelines (the default for "
                "files that use them)")
      ->excludes(sequential)
      ->excludes("--baseline")
      ->excludes("--repeat")
      ->excludes(profile);
  run->add_flag("--no-batching", options.no_batching,
                "Run every request of the file's request streams as its own scheduler operation "
                "(max_batch 1), to compare with batching");
  return run;
}

int run_command(const RunOptions& options) {
  const Workload workload = load_or_default(options.workload);
  if (const std::optional<std::string> why = scheduler_mode(options, workload)) {
    if (!options.trace.empty()) check_writable(options.trace);
    return run_scheduled_mode(options, workload, *why);
  }
  OperationDependencyGraph graph;
  const BuiltWorkload built = build(workload, graph);
  const CriticalPath cp = graph.critical_path();
  const auto repeat = static_cast<double>(options.repeat);
  const WorkBounds bounds{cp.total_work * repeat, cp.length * repeat};
  const std::size_t workers =
      options.sequential ? 1 : (options.workers != 0 ? options.workers : read_cpu_budget().usable);

  std::optional<ChromeTraceWriter> trace;
  if (!options.trace.empty()) {
    check_writable(options.trace);
    trace.emplace(workers);
  }
  Observer* trace_observer = trace ? &*trace : nullptr;
  // With --json the profile report goes to stderr, so stdout stays one JSON document.
  std::ostream& profile_out = options.json ? std::cerr : std::cout;
  std::unique_ptr<PerformanceProfiler> profiler;
  if (!options.profile.empty()) profiler = open_profile(options.profile, profile_out);
  std::optional<RunMetrics> baseline;
  if (options.baseline) baseline = run_serial(built, options.repeat, bounds, nullptr);
  const RunMetrics metrics =
      options.sequential ? run_serial(built, options.repeat, bounds, trace_observer)
                         : run_parallel(graph, workers, options.repeat, bounds, trace_observer);
  if (trace) trace->write_file(options.trace);
  if (options.json) {
    print_json(workload, graph, options, workers, metrics, baseline);
  } else {
    print_text(workload, graph, options, workers, metrics, baseline);
  }
  if (profiler) record_profile(*profiler, workload, built, metrics, options.profile, profile_out);
  return k_exit_ok;
}

}  // namespace neat::cli
