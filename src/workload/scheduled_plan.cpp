// The order in which run_scheduled() submits operations, and what needs the scheduler.
// [workload.scheduled]
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "scheduled_parts.hpp"

namespace neat {
namespace detail {

double micros_since(Clock::time_point since, Clock::time_point time) {
  return std::chrono::duration<double, std::micro>(time - since).count();
}

Clock::duration from_ms(double ms) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms));
}

// A scratch graph of the `after` edges, its operations added by arrival then file order: its
// topological order (Kahn, smallest index first) is then by arrival too, because no edge points
// to an earlier arrival, and CycleError names a cycle.
std::vector<std::size_t> submission_order(const Workload& workload) {
  const std::vector<OperationSpec>& ops = workload.operations;
  std::vector<std::size_t> by_arrival(ops.size());
  std::iota(by_arrival.begin(), by_arrival.end(), std::size_t{0});
  std::stable_sort(by_arrival.begin(), by_arrival.end(), [&](std::size_t a, std::size_t b) {
    return ops[a].arrive_ms < ops[b].arrive_ms;
  });
  OperationDependencyGraph graph;
  std::unordered_map<std::string, OperationId> ids;
  for (std::size_t i : by_arrival) {
    ids.emplace(ops[i].name, graph.add({.name = ops[i].name}, [] {}).id());
  }
  for (std::size_t i : by_arrival) {
    for (const std::string& before : ops[i].after) {
      const auto it = ids.find(before);
      if (it == ids.end()) {
        throw Error(fmt::format("run_scheduled: operation '{}' waits for unknown operation '{}'",
                                ops[i].name, before));
      }
      const OperationSpec& pred = ops[by_arrival[it->second.index]];
      if (pred.arrive_ms > ops[i].arrive_ms) {
        throw Error(
            fmt::format("run_scheduled: operation '{}' ({} ms) waits for '{}', which "
                        "arrives later ({} ms)",
                        ops[i].name, ops[i].arrive_ms, before, pred.arrive_ms));
      }
      graph.precede(it->second, ids.at(ops[i].name));
    }
  }
  std::vector<std::size_t> order;
  order.reserve(ops.size());
  for (OperationId id : graph.topological_order()) order.push_back(by_arrival[id.index]);
  return order;
}

}  // namespace detail

std::optional<std::string> scheduler_feature(const Workload& workload) {
  for (const OperationSpec& op : workload.operations) {
    if (op.arrive_ms > 0.0) {
      return fmt::format("operation '{}' arrives at {} ms", op.name, op.arrive_ms);
    }
    if (op.deadline_ms) return fmt::format("operation '{}' has a deadline", op.name);
    if (op.kernel.checkpoint_us > 0.0) {
      return fmt::format("operation '{}' has checkpoints", op.name);
    }
  }
  if (!workload.pipelines.empty()) {
    return fmt::format("it has pipelines ('{}')", workload.pipelines.front().name);
  }
  if (!workload.request_streams.empty()) {
    return fmt::format("it has request streams ('{}')", workload.request_streams.front().name);
  }
  return std::nullopt;
}

}  // namespace neat
