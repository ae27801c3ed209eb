#include "neat/resources/component_registry.hpp"

#include <fmt/format.h>

#include <cmath>

#include "byte_text.hpp"
#include "neat/common/error.hpp"

namespace neat {
namespace {

// [resources.components] the checks that need no other component.
void check_alone(const ComponentConfig& config) {
  if (config.name.empty()) throw Error("component registry: a component name must not be empty");
  if (!std::isfinite(config.importance) || config.importance < 0) {
    throw Error(fmt::format("component '{}': importance must be a finite number >= 0, got {}",
                            config.name, config.importance));
  }
  if (config.memory_budget_bytes && *config.memory_budget_bytes == 0) {
    throw Error(fmt::format("component '{}': an explicit memory budget must be at least 1 byte",
                            config.name));
  }
}

std::string past_total_message(std::string_view what, std::uint64_t sum, std::uint64_t total) {
  return fmt::format("{}: the explicit memory budgets sum to {}, past the total of {}", what,
                     detail::bytes_text(sum), detail::bytes_text(total));
}

// Splits `rest` among the components without an explicit budget, by importance; a running
// remainder keeps the sum within `rest` whatever the rounding.
void split_rest(const std::deque<ComponentConfig>& components, std::uint64_t rest,
                std::vector<std::uint64_t>& budgets) {
  double weight_sum = 0;
  std::size_t shared = 0;
  for (const ComponentConfig& c : components) {
    if (c.memory_budget_bytes) continue;
    weight_sum += c.importance;
    ++shared;
  }
  std::uint64_t remaining = rest;
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (components[i].memory_budget_bytes) continue;
    const double part =
        weight_sum > 0 ? components[i].importance / weight_sum : 1.0 / static_cast<double>(shared);
    const double share = std::floor(static_cast<double>(rest) * part);
    budgets[i] =
        share >= static_cast<double>(remaining) ? remaining : static_cast<std::uint64_t>(share);
    remaining -= budgets[i];
  }
}

}  // namespace

const ComponentConfig& ComponentResourceManager::register_component(ComponentConfig config) {
  check_alone(config);
  if (index_.find(config.name) != index_.end()) {
    throw Error(fmt::format("component '{}': already registered", config.name));
  }
  const std::uint64_t budget = config.memory_budget_bytes.value_or(0);
  if (total_bytes_ && (budget > *total_bytes_ || explicit_sum_ > *total_bytes_ - budget)) {
    const std::uint64_t sum = budget > ~explicit_sum_ ? ~std::uint64_t{0} : explicit_sum_ + budget;
    throw Error(past_total_message(fmt::format("component '{}'", config.name), sum, *total_bytes_));
  }
  index_.emplace(config.name, components_.size());
  explicit_sum_ += budget;
  return components_.emplace_back(std::move(config));
}

const ComponentConfig* ComponentResourceManager::find(std::string_view name) const noexcept {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &components_[it->second];
}

const ComponentConfig& ComponentResourceManager::at(std::string_view name) const {
  if (const ComponentConfig* config = find(name)) return *config;
  throw Error(unknown_component_message(name));
}

std::vector<ComponentConfig> ComponentResourceManager::list() const {
  return {components_.begin(), components_.end()};
}

std::vector<std::uint64_t> ComponentResourceManager::budgets_for(std::uint64_t total_bytes) const {
  if (explicit_sum_ > total_bytes) {
    throw Error(past_total_message("component registry", explicit_sum_, total_bytes));
  }
  std::vector<std::uint64_t> budgets(components_.size(), 0);
  for (std::size_t i = 0; i < components_.size(); ++i) {
    budgets[i] = components_[i].memory_budget_bytes.value_or(0);
  }
  split_rest(components_, total_bytes - explicit_sum_, budgets);
  return budgets;
}

std::string ComponentResourceManager::unknown_component_message(std::string_view name) const {
  std::string known;
  for (const ComponentConfig& c : components_) {
    known += known.empty() ? c.name : ", " + c.name;
  }
  return fmt::format("unknown component '{}' (registered: {})", name,
                     known.empty() ? "none" : known);
}

std::uint64_t to_memory_bytes(double value, std::string_view place) {
  // 2^64 as a double; every double below it converts exactly.
  constexpr double k_limit = 18446744073709551616.0;
  if (!std::isfinite(value) || value < 0 || value != std::floor(value) || value >= k_limit) {
    throw Error(fmt::format("{}: a memory size must be a whole number of bytes >= 0, got {}", place,
                            value));
  }
  return static_cast<std::uint64_t>(value);
}

}  // namespace neat
