#include "neat/trace/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

namespace neat {
namespace {

using Json = nlohmann::ordered_json;  // keys in the documented order

// Control characters would break a table row or a folded line; ';' separates stack frames.
std::string sanitize(std::string_view text, bool frame) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
    if (frame && c == ';') c = ':';
  }
  return out;
}

std::string component_label(const std::string& component) {
  return component.empty() ? std::string("(none)") : sanitize(component, false);
}

std::string worker_label(std::size_t worker) {
  return worker == k_not_a_worker ? std::string("caller") : fmt::format("worker {}", worker);
}

std::string summary_line(std::string_view label, const DurationSummary& s) {
  return fmt::format("  {:<14}n={}  mean {:.3f}  p50 {:.3f}  p95 {:.3f}  max {:.3f} us\n", label,
                     s.count, s.mean_us, s.p50_us, s.p95_us, s.max_us);
}

std::string summary_block(const RunMetrics& m) {
  std::string out = "run metrics\n";
  out += fmt::format("  {:<14}{}\n", "runs", m.runs);
  out += fmt::format("  {:<14}{}\n", "workers", m.workers);
  out += fmt::format("  {:<14}{:.3f} us\n", "makespan", m.makespan_us);
  out += fmt::format("  {:<14}{:.3f} us\n", "busy", m.busy_us);
  out += fmt::format("  {:<14}{:.1f} %\n", "utilization", 100.0 * m.utilization);
  out += fmt::format(
      "  {:<14}{} executed: {} completed, {} failed, {} cancelled, {} timed out, {} unfinished\n",
      "operations", m.executed, m.completed, m.failed, m.cancelled, m.timed_out, m.unfinished);
  out += fmt::format("  {:<14}{}\n", "steals", m.steals);
  out += fmt::format("  {:<14}{}\n", "sleeps", m.sleeps);
  out += summary_line("wait", m.wait);
  out += summary_line("run", m.run);
  if (m.lower_bound_us) {
    out += fmt::format("  {:<14}{:.3f} us (critical path {:.3f} us, total work {:.3f} us)\n",
                       "lower bound", *m.lower_bound_us, m.critical_path_us.value_or(0.0),
                       m.total_work_us.value_or(0.0));
  }
  if (m.efficiency) out += fmt::format("  {:<14}{:.1f} %\n", "efficiency", 100.0 * *m.efficiency);
  return out;
}

std::string worker_block(const RunMetrics& m) {
  std::string out = fmt::format("\n{:<10} {:>14} {:>14} {:>7} {:>9} {:>7} {:>7}\n", "worker",
                                "busy_us", "idle_us", "util %", "ops", "steals", "sleeps");
  for (const WorkerMetrics& w : m.per_worker) {
    out += fmt::format("{:<10} {:>14.3f} {:>14.3f} {:>7.1f} {:>9} {:>7} {:>7}\n",
                       worker_label(w.worker), w.busy_us, w.idle_us, 100.0 * w.utilization,
                       w.operations, w.steals, w.sleeps);
  }
  return out;
}

std::string component_block(const RunMetrics& m) {
  std::size_t width = std::string_view("component").size();
  for (const ComponentMetrics& c : m.per_component) {
    width = std::max(width, component_label(c.component).size());
  }
  std::string out =
      fmt::format("\n{:<{}} {:>9} {:>9} {:>14} {:>14} {:>14} {:>14}\n", "component", width, "ops",
                  "cancelled", "total_run_us", "mean_run_us", "total_wait_us", "mean_wait_us");
  for (const ComponentMetrics& c : m.per_component) {
    out += fmt::format("{:<{}} {:>9} {:>9} {:>14.3f} {:>14.3f} {:>14.3f} {:>14.3f}\n",
                       component_label(c.component), width, c.operations, c.cancelled,
                       c.total_run_us, c.mean_run_us, c.total_wait_us, c.mean_wait_us);
  }
  return out;
}

Json summary_json(const DurationSummary& s) {
  return {{"count", s.count},
          {"mean", s.mean_us},
          {"p50", s.p50_us},
          {"p95", s.p95_us},
          {"max", s.max_us}};
}

Json optional_json(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json worker_json(const WorkerMetrics& w) {
  return {{"worker", w.worker == k_not_a_worker ? Json(nullptr) : Json(w.worker)},
          {"name", worker_label(w.worker)},
          {"busy_us", w.busy_us},
          {"idle_us", w.idle_us},
          {"utilization", w.utilization},
          {"operations", w.operations},
          {"steals", w.steals},
          {"sleeps", w.sleeps}};
}

Json component_json(const ComponentMetrics& c) {
  return {{"component", c.component},      {"operations", c.operations},
          {"cancelled", c.cancelled},      {"total_run_us", c.total_run_us},
          {"mean_run_us", c.mean_run_us},  {"total_wait_us", c.total_wait_us},
          {"mean_wait_us", c.mean_wait_us}};
}

Json operation_json(const OperationMetrics& op) {
  return {{"run_id", op.run_id},
          {"operation", op.operation},
          {"name", op.name},
          {"component", op.component},
          {"priority", std::string(to_string(op.priority))},
          {"status", std::string(to_string(op.status))},
          {"worker", op.worker == k_not_a_worker ? Json(nullptr) : Json(op.worker)},
          {"wait_us", optional_json(op.wait_us)},
          {"run_us", optional_json(op.run_us)}};
}

}  // namespace

std::string format_metrics_table(const RunMetrics& metrics) {
  return summary_block(metrics) + worker_block(metrics) + component_block(metrics);
}

std::string metrics_to_json(const RunMetrics& m, bool include_operations) {
  Json out = {{"runs", m.runs},
              {"workers", m.workers},
              {"makespan_us", m.makespan_us},
              {"busy_us", m.busy_us},
              {"utilization", m.utilization}};
  out["operations"] = {{"executed", m.executed},   {"completed", m.completed},
                       {"failed", m.failed},       {"cancelled", m.cancelled},
                       {"timed_out", m.timed_out}, {"unfinished", m.unfinished}};
  out["steals"] = m.steals;
  out["sleeps"] = m.sleeps;
  out["wait_us"] = summary_json(m.wait);
  out["run_us"] = summary_json(m.run);
  out["per_worker"] = Json::array();
  for (const WorkerMetrics& w : m.per_worker) out["per_worker"].push_back(worker_json(w));
  out["per_component"] = Json::array();
  for (const ComponentMetrics& c : m.per_component) {
    out["per_component"].push_back(component_json(c));
  }
  if (m.lower_bound_us) {
    out["bounds"] = {{"total_work_us", optional_json(m.total_work_us)},
                     {"critical_path_us", optional_json(m.critical_path_us)},
                     {"lower_bound_us", *m.lower_bound_us},
                     {"efficiency", optional_json(m.efficiency)}};
  }
  if (include_operations) {
    out["per_operation"] = Json::array();
    for (const OperationMetrics& op : m.operations) {
      out["per_operation"].push_back(operation_json(op));
    }
  }
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string folded_stacks(const RunMetrics& metrics) {
  std::map<std::string, double> totals;
  for (const OperationMetrics& op : metrics.operations) {
    if (!op.run_us) continue;
    const std::string component = op.component.empty() ? "none" : sanitize(op.component, true);
    const std::string name =
        op.name.empty() ? fmt::format("op#{}", op.operation) : sanitize(op.name, true);
    totals[component + ";" + name] += *op.run_us;
  }
  std::string out;
  for (const auto& [stack, total_us] : totals) {
    out += fmt::format("{} {}\n", stack, std::llround(total_us));
  }
  return out;
}

}  // namespace neat
