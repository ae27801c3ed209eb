#include "scheduled_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "stream_report.hpp"

namespace neat::cli {
namespace {

using nlohmann::ordered_json;

std::string ms(const std::optional<double>& us) {
  return us ? fmt::format("{:.3f}", *us / 1000.0) : std::string("-");
}

std::string text(OpStatus status) {
  return std::string(to_string(status));
}
std::string text(ExecutionPriority priority) {
  return std::string(to_string(priority));
}

template <class T>
ordered_json or_null(const std::optional<T>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

std::string operations_table(const ScheduledRun& run, const Workload& workload) {
  std::size_t name_width = 9;
  std::size_t component_width = 9;
  for (const ScheduledOperation& op : run.operations) {
    name_width = std::max(name_width, op.name.size());
    component_width = std::max(component_width, op.component.size());
  }
  const auto row = [&](const auto&... cells) {
    return fmt::format(
        "{:<{}}  {:<{}}  {:<8}  {:<9}  {:<9}  {:>9}  {:>12}  {:>11}  {:>16}  {:>11}  {:>6}\n",
        cells...);
  };
  std::string out =
      row("operation", name_width, "component", component_width, "priority", "effective", "status",
          "arrive ms", "submitted ms", "deadline ms", "start latency ms", "finished ms", "pauses");
  std::string notes;
  for (std::size_t i = 0; i < run.operations.size(); ++i) {
    const ScheduledOperation& op = run.operations[i];
    const OperationSpec& spec = workload.operations[i];
    const std::optional<double> deadline_us =
        spec.deadline_ms ? std::optional<double>(*spec.deadline_ms * 1000.0) : std::nullopt;
    out += row(op.name, name_width, op.component.empty() ? "-" : op.component, component_width,
               text(op.priority), text(op.effective_priority), text(op.status),
               ms(spec.arrive_ms * 1000.0), ms(op.submitted_us), ms(deadline_us),
               ms(op.start_latency_us), ms(op.finished_us), op.pauses);
    if (!op.reason.empty())
      notes += fmt::format("  {} ({}): {}\n", op.name, text(op.status), op.reason);
  }
  return out + notes;
}

std::string latency_table(const ScheduledRun& run) {
  std::string out = fmt::format("{:<18}  {:>10}  {:>7}  {:>8}  {:>8}\n", "start latency (ms)",
                                "operations", "started", "mean", "max");
  for (const StartLatency& s : run.start_latency) {
    out += fmt::format("{:<18}  {:>10}  {:>7}  {:>8.3f}  {:>8.3f}\n", text(s.priority),
                       s.operations, s.started, s.mean_us / 1000.0, s.max_us / 1000.0);
  }
  return out;
}

std::string pipelines_table(const ScheduledRun& run) {
  if (run.pipelines.empty()) return "";
  std::string out =
      fmt::format("{:<12}  {:<9}  {:>13}  {:>9}  {:>10}  {:>11}  {:>9}\n", "pipeline", "status",
                  "items", "in flight", "started ms", "finished ms", "items/s");
  for (const ScheduledPipeline& p : run.pipelines) {
    out += fmt::format("{:<12}  {:<9}  {:>13}  {:>9}  {:>10.3f}  {:>11.3f}  {:>9.1f}\n", p.name,
                       p.status, fmt::format("{}/{}", p.items_completed, p.items), p.in_flight,
                       p.started_us / 1000.0, p.finished_us / 1000.0, p.items_per_second);
    if (!p.reason.empty()) out += fmt::format("  {}: {}\n", p.name, p.reason);
  }
  return out;
}

}  // namespace

std::string format_scheduled_run(const ScheduledRun& run, const Workload& workload) {
  const SchedulerStats& s = run.stats;
  return fmt::format(
      "{}\n{}\n{}{}{}{}scheduler: submitted {}, completed {}, failed {}, cancelled {}, timed out "
      "{}; preemption requests {}, parked at a checkpoint {}, promoted by aging {}, raised by "
      "inheritance {}\nmakespan {:.3f} ms\n",
      operations_table(run, workload), latency_table(run), pipelines_table(run),
      run.pipelines.empty() ? "" : "\n", format_streams(run, workload),
      run.streams.empty() ? "" : "\n", s.submitted, s.completed, s.failed, s.cancelled, s.timed_out,
      s.preemptions, s.parked, s.promoted, s.inherited, run.makespan_us / 1000.0);
}

ordered_json scheduled_run_to_json(const ScheduledRun& run, const Workload& workload) {
  ordered_json operations = ordered_json::array();
  for (std::size_t i = 0; i < run.operations.size(); ++i) {
    const ScheduledOperation& op = run.operations[i];
    const OperationSpec& spec = workload.operations[i];
    operations.push_back({{"name", op.name},
                          {"component", op.component},
                          {"priority", text(op.priority)},
                          {"effective_priority", text(op.effective_priority)},
                          {"status", text(op.status)},
                          {"reason", op.reason},
                          {"preemptible", op.preemptible},
                          {"arrive_ms", spec.arrive_ms},
                          {"deadline_ms", or_null(spec.deadline_ms)},
                          {"submitted_us", op.submitted_us},
                          {"start_latency_us", or_null(op.start_latency_us)},
                          {"finished_us", or_null(op.finished_us)},
                          {"pauses", op.pauses}});
  }
  ordered_json latency = ordered_json::array();
  for (const StartLatency& s : run.start_latency) {
    latency.push_back({{"priority", text(s.priority)},
                       {"operations", s.operations},
                       {"started", s.started},
                       {"mean_us", s.mean_us},
                       {"max_us", s.max_us}});
  }
  ordered_json pipelines = ordered_json::array();
  for (const ScheduledPipeline& p : run.pipelines) {
    pipelines.push_back({{"name", p.name},
                         {"component", p.component},
                         {"status", p.status},
                         {"reason", p.reason},
                         {"items", p.items},
                         {"items_completed", p.items_completed},
                         {"in_flight", p.in_flight},
                         {"started_us", p.started_us},
                         {"finished_us", p.finished_us},
                         {"items_per_second", p.items_per_second}});
  }
  const SchedulerStats& s = run.stats;
  return {{"makespan_us", run.makespan_us},
          {"operations",
           {{"submitted", s.submitted},
            {"completed", s.completed},
            {"failed", s.failed},
            {"cancelled", s.cancelled},
            {"timed_out", s.timed_out}}},
          {"scheduler",
           {{"preemptions", s.preemptions},
            {"parked", s.parked},
            {"promoted", s.promoted},
            {"inherited", s.inherited},
            {"long_running", s.long_running}}},
          {"start_latency", std::move(latency)},
          {"per_operation", std::move(operations)},
          {"pipelines", std::move(pipelines)},
          {"request_streams", streams_to_json(run, workload)}};
}

}  // namespace neat::cli
