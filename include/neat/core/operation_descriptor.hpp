// OperationDescriptor: the metadata of one operation, and the small id types of the graph.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "neat/common/types.hpp"

namespace neat {

/// Metadata of one operation. Only `name` is worth setting for every operation; the rest has
/// sensible defaults. `cost_hint_us` feeds critical-path analysis (0 means "unknown": counted 1).
struct OperationDescriptor {
  std::string name{};  // "{}": designated initializers may omit it without a GCC -Wextra warning
  std::string component{};
  ExecutionPriority priority = ExecutionPriority::medium;
  double cost_hint_us = 0.0;
  std::uint64_t memory_bytes = 0;
  DeviceAffinity device = DeviceAffinity::any;
};

/// Index of an operation in its graph, in order of creation (0, 1, 2, ...).
struct OperationId {
  std::uint32_t index = 0;
  friend constexpr auto operator<=>(OperationId, OperationId) = default;
};

/// A named piece of data that operations read and write; see OperationDependencyGraph::data().
struct DataHandle {
  std::uint32_t index = 0;
  friend constexpr auto operator<=>(DataHandle, DataHandle) = default;
};

}  // namespace neat
