// The executor's view of one operation: its work, its place in the compiled graph and its
// per-run state. Laid out to stay under two cache lines. [core.node]
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "neat/common/types.hpp"

namespace neat {
class OpContext;
class OperationDependencyGraph;
}  // namespace neat

namespace neat::detail {

using OpFunction = std::function<void(OpContext&)>;

inline constexpr std::uint32_t k_no_cause = 0xFFFFFFFFu;
inline constexpr std::uint32_t k_caller_cancel = 0xFFFFFFFEu;

struct Node {
  explicit Node(OperationDependencyGraph* owner, OpFunction fn, std::uint32_t idx) noexcept
      : work(std::move(fn)), graph(owner), index(idx) {}

  OpFunction work;
  OperationDependencyGraph* graph;
  Node* const* successors = nullptr;  // into the graph's compiled successor list
  std::uint32_t successor_count = 0;  // kept up to date as edges are added
  std::uint32_t index;
  std::int32_t initial_pending = 0;  // incoming edges, kept up to date as edges are added
  std::atomic<std::int32_t> pending{0};
  // Root cause of a cancellation: index of the failed/cancelled operation that poisoned this one,
  // k_caller_cancel, or k_no_cause. Reset when the operation is processed.
  std::atomic<std::uint32_t> cancel_cause{k_no_cause};
  // (run epoch << 8) | OpStatus: a status from an older run reads as pending. [core.status]
  std::atomic<std::uint32_t> state{0};
  ExecutionPriority priority = ExecutionPriority::medium;
};

/// What the executor does not touch on the hot path; stored beside the nodes, and only for
/// graphs that describe their operations. [core.node]
struct NodeMeta {
  std::uint32_t name_offset = 0;
  std::uint32_t name_size = 0;
  float cost_hint_us = 0.0f;
  std::uint16_t component = 0;
  DeviceAffinity device = DeviceAffinity::any;
  std::uint64_t memory_bytes = 0;
};

}  // namespace neat::detail
