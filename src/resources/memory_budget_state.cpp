#include "memory_budget_state.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "neat/common/error.hpp"
#include "neat/detail/assert.hpp"

namespace neat::detail {
namespace {

void check_fraction(std::string_view field, double value, bool one_allowed) {
  if (std::isfinite(value) && value >= 0 && (value < 1 || (one_allowed && value == 1))) return;
  throw Error(fmt::format("MemoryBudgetOptions.{}: must lie in [0, 1{}, got {}", field,
                          one_allowed ? "]" : ")", value));
}

MemoryBudgetOptions checked(MemoryBudgetOptions options) {
  check_fraction("margin_fraction", options.margin_fraction, false);
  check_fraction("shed_progress", options.shed_progress, true);
  if (options.sample_interval.count() < 0) {
    throw Error(fmt::format("MemoryBudgetOptions.sample_interval: must not be negative, got {} ms",
                            options.sample_interval.count()));
  }
  validate(options.thresholds);
  if (!options.sampler) options.sampler = read_memory_sample;
  return options;
}

ComponentMemory describe(const ComponentBudgetState& c) {
  return {.name = c.config.name,
          .importance = c.config.importance,
          .budget_bytes = c.budget,
          .reserved_bytes = c.reserved,
          .active = c.active,
          .deactivation_reason = c.reason};
}

}  // namespace

MemoryBudgetState::MemoryBudgetState(MemoryBudgetOptions options)
    : options_(checked(std::move(options))) {
  const MemorySample first = options_.sampler();
  total_ = options_.total_bytes;
  if (total_ == 0) total_ = default_memory_total(first, options_.margin_fraction);
  if (total_ == 0) {
    throw Error(
        "MemoryBudgetManager: no memory total (the sample has neither MemTotal nor a cgroup "
        "limit); set MemoryBudgetOptions.total_bytes");
  }
  const LockGuard lock(mutex_);
  registry_ = ComponentResourceManager(total_);
  apply_sample(first);
  evaluate(false);
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  next_sample_ns_.store(std::chrono::nanoseconds(now + options_.sample_interval).count(),
                        std::memory_order_relaxed);
}

MemoryBudgetState::~MemoryBudgetState() {
  const LockGuard lock(mutex_);
  NEAT_ASSERT(reserved_ == 0, "MemoryBudgetManager destroyed while reservations are held");
}

void MemoryBudgetState::register_all(const std::vector<ComponentConfig>& configs) {
  {
    const LockGuard lock(mutex_);
    ComponentResourceManager candidate = registry_;
    for (const ComponentConfig& config : configs) (void)candidate.register_component(config);
    const std::vector<std::uint64_t> budgets = candidate.budgets_for(total_);
    // Validated: from here on nothing throws but allocation.
    for (const ComponentConfig& config : configs) {
      auto state = std::make_unique<ComponentBudgetState>(config, components_.size());
      by_name_.emplace(state->config.name, state.get());
      components_.push_back(std::move(state));
    }
    registry_ = std::move(candidate);
    for (std::size_t i = 0; i < components_.size(); ++i) components_[i]->budget = budgets[i];
    evaluate(false);
  }
  hub_.deliver();
}

ComponentBudgetState* MemoryBudgetState::find(std::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

PressureLevel MemoryBudgetState::level() const {
  const LockGuard lock(mutex_);
  return level_;
}

std::uint64_t MemoryBudgetState::reserved() const {
  const LockGuard lock(mutex_);
  return reserved_;
}

ComponentMemory MemoryBudgetState::component(std::string_view name) const {
  const LockGuard lock(mutex_);
  if (const ComponentBudgetState* c = find(name)) return describe(*c);
  throw Error(registry_.unknown_component_message(name));
}

MemorySnapshot MemoryBudgetState::snapshot() const {
  const LockGuard lock(mutex_);
  MemorySnapshot s{.level = level_,
                   .total_bytes = total_,
                   .reserved_bytes = reserved_,
                   .real_fraction = real_fraction_,
                   .usage = usage(),
                   .sample = sample_,
                   .components = {}};
  s.components.reserve(components_.size());
  for (const auto& c : components_) s.components.push_back(describe(*c));
  return s;
}

}  // namespace neat::detail
