// Components: the parts of a model ("titans_memory", "blt_encoder") with what the runtime needs
// to know about each: importance, default priority, memory budget and device affinity. The
// API, workload files and the CLI register them here; the MemoryBudgetManager turns them into
// budgets, and the ExecutionScheduler takes default priorities from them.
//
// Validation [resources.components]: register_component() refuses, with a neat::Error that names
// the component and the problem, and without changing anything:
//   - an empty or already registered name;
//   - an importance that is negative or not finite (0 is allowed: such a component gets no
//     share of the memory split by importance);
//   - an explicit memory budget of 0 bytes;
//   - an explicit budget that, added to those already registered, sums past the total (when
//     the registry was given one), with the numbers.
// Budgets: budgets_for(total) gives every component its explicit budget, and splits what the
// explicit budgets leave of the total among the others in proportion to their importance
// (equally when all their importances are 0).
//
// Thread-safety: like a standard container. Const members may be called concurrently;
// register_component() must not run concurrently with any other member (register everything,
// then share). References and pointers to registered configs stay valid for the registry's life.
//
// Usage:
//   neat::ComponentResourceManager components(8ull << 30);         // 8 GiB to share
//   components.register_component({.name = "titans_memory", .importance = 3,
//                                  .memory_budget_bytes = 2ull << 30});
//   components.register_component({.name = "blt_encoder", .importance = 1,
//                                  .default_priority = neat::ExecutionPriority::high});
//   const neat::ComponentConfig& memory = components.at("titans_memory");
//   std::vector<std::uint64_t> budgets = components.budgets_for(8ull << 30);  // {2 GiB, 6 GiB}
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neat/common/types.hpp"

namespace neat {

struct ComponentConfig {
  std::string name{};
  /// Relative weight: splits the memory that explicit budgets leave, orders deactivation under
  /// memory pressure (least important first). Finite and >= 0.
  double importance = 1.0;
  ExecutionPriority default_priority = ExecutionPriority::medium;
  /// An explicit budget (> 0), or none: a share of the rest by importance.
  std::optional<std::uint64_t> memory_budget_bytes{};
  DeviceAffinity device = DeviceAffinity::any;
};

class ComponentResourceManager {
 public:
  /// No total: explicit budgets are checked against one only by budgets_for().
  ComponentResourceManager() = default;
  /// Explicit budgets must sum to at most `total_bytes`, checked at each registration.
  explicit ComponentResourceManager(std::uint64_t total_bytes) : total_bytes_(total_bytes) {}

  /// Add a component; throws neat::Error (see [resources.components]) and changes nothing when
  /// the config is invalid. Returns the stored config.
  const ComponentConfig& register_component(ComponentConfig config);

  /// The component called `name`, or nullptr.
  [[nodiscard]] const ComponentConfig* find(std::string_view name) const noexcept;
  /// The component called `name`; throws neat::Error "unknown component 'x' (registered: ...)".
  [[nodiscard]] const ComponentConfig& at(std::string_view name) const;
  /// Every component, in registration order.
  [[nodiscard]] std::vector<ComponentConfig> list() const;
  [[nodiscard]] std::size_t size() const noexcept { return components_.size(); }
  [[nodiscard]] std::optional<std::uint64_t> total_bytes() const noexcept { return total_bytes_; }
  /// The sum of the explicit budgets.
  [[nodiscard]] std::uint64_t explicit_budget_bytes() const noexcept { return explicit_sum_; }

  /// The budget of each component (registration order) out of `total_bytes`: explicit ones as
  /// given, the rest split by importance; they sum to at most the total. Throws neat::Error when
  /// the explicit budgets sum past it.
  [[nodiscard]] std::vector<std::uint64_t> budgets_for(std::uint64_t total_bytes) const;

  /// "unknown component 'x' (registered: a, b)": the text of every unknown-name error.
  [[nodiscard]] std::string unknown_component_message(std::string_view name) const;

 private:
  std::optional<std::uint64_t> total_bytes_;
  std::deque<ComponentConfig> components_;  // a deque: references survive registration
  std::map<std::string, std::size_t, std::less<>> index_;
  std::uint64_t explicit_sum_ = 0;
};

/// A memory size read as a number (a workload file, a command line) as bytes. Throws
/// neat::Error naming `place` when it is negative, not finite, fractional or too large:
/// to_memory_bytes(-5, "components.blt_encoder.memory_budget") ->
/// "components.blt_encoder.memory_budget: a memory size must be a whole number of bytes >= 0,
/// got -5".
[[nodiscard]] std::uint64_t to_memory_bytes(double value, std::string_view place);

}  // namespace neat
