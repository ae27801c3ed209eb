// [resources.memory.levels] and [resources.memory.shed]: the level after each change, and which
// components are deactivated or reactivated because of it.
#include <fmt/format.h>

#include <algorithm>

#include "byte_text.hpp"
#include "memory_budget_state.hpp"

namespace neat::detail {

double MemoryBudgetState::usage() const {
  const double reserved = static_cast<double>(reserved_) / static_cast<double>(total_);
  return std::max(reserved, real_fraction_);
}

void MemoryBudgetState::evaluate(bool tick) {
  PressureChange change{.from = level_,
                        .to = next_pressure_level(level_, usage(), options_.thresholds),
                        .usage = usage(),
                        .deactivated = {},
                        .reactivated = {}};
  level_ = change.to;
  if (change.to == PressureLevel::critical) {
    deactivate_all_but_top(change);
  } else if (change.to == PressureLevel::high) {
    step_at_high(change, tick);
  } else {
    reactivate_all(change);
  }
  if (change.from != change.to || !change.deactivated.empty() || !change.reactivated.empty()) {
    hub_.post(std::move(change));
  }
}

// Entering high from below deactivates one component; every later sample at high deactivates
// one more unless the usage fell by shed_progress since the previous one. Coming down from
// critical changes nothing until the level falls below high.
void MemoryBudgetState::step_at_high(PressureChange& change, bool tick) {
  const bool entered = change.from != PressureLevel::high;
  if (change.from < PressureLevel::high) {
    deactivate_next(change);
  } else if (!entered && tick && change.usage > shed_mark_ - options_.shed_progress) {
    deactivate_next(change);
  }
  if (entered || tick) shed_mark_ = change.usage;
}

// Least important first; on equal importance the later registered first.
std::vector<ComponentBudgetState*> MemoryBudgetState::shed_order() const {
  std::vector<ComponentBudgetState*> order;
  order.reserve(components_.size());
  for (const auto& c : components_) order.push_back(c.get());
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    if (a->config.importance != b->config.importance) {
      return a->config.importance < b->config.importance;
    }
    return a->order > b->order;
  });
  return order;
}

double MemoryBudgetState::top_importance() const {
  double top = 0;
  for (const auto& c : components_) top = std::max(top, c->config.importance);
  return top;
}

void MemoryBudgetState::deactivate(ComponentBudgetState& c, PressureChange& change,
                                   std::string rule) {
  c.active = false;
  c.reason =
      fmt::format("deactivated at memory pressure {} ({} of {} in use): {}", to_string(change.to),
                  percent_text(change.usage), bytes_text(total_), rule);
  change.deactivated.push_back(c.config.name);
}

void MemoryBudgetState::deactivate_next(PressureChange& change) {
  const double top = top_importance();
  for (ComponentBudgetState* c : shed_order()) {
    if (c->config.importance >= top) return;
    if (!c->active) continue;
    deactivate(
        *c, change,
        fmt::format("the least important active component (importance {})", c->config.importance));
    return;
  }
}

void MemoryBudgetState::deactivate_all_but_top(PressureChange& change) {
  const double top = top_importance();
  for (ComponentBudgetState* c : shed_order()) {
    if (c->config.importance >= top) return;
    if (!c->active) continue;
    deactivate(*c, change,
               fmt::format("only the most important components (importance {}) stay active", top));
  }
}

void MemoryBudgetState::reactivate_all(PressureChange& change) {
  // The common case (all active) costs no sort: this runs at every reservation below high.
  if (std::all_of(components_.begin(), components_.end(),
                  [](const auto& c) { return c->active; })) {
    return;
  }
  const std::vector<ComponentBudgetState*> order = shed_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if ((*it)->active) continue;
    (*it)->active = true;
    (*it)->reason.clear();
    change.reactivated.push_back((*it)->config.name);
  }
}

}  // namespace neat::detail
