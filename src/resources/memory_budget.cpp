// MemoryBudgetManager: the public face of detail::MemoryBudgetState.
#include "neat/resources/memory_budget.hpp"

#include "memory_budget_state.hpp"
#include "neat/common/error.hpp"

namespace neat {

MemoryBudgetManager::MemoryBudgetManager(MemoryBudgetOptions options)
    : state_(std::make_unique<detail::MemoryBudgetState>(std::move(options))) {}

MemoryBudgetManager::MemoryBudgetManager(const ComponentResourceManager& components,
                                         MemoryBudgetOptions options)
    : MemoryBudgetManager(std::move(options)) {
  register_components(components);
}

MemoryBudgetManager::~MemoryBudgetManager() = default;

void MemoryBudgetManager::register_component(const ComponentConfig& config) {
  state_->register_all({config});
}

void MemoryBudgetManager::register_components(const ComponentResourceManager& components) {
  state_->register_all(components.list());
}

ReservationResult MemoryBudgetManager::try_reserve(std::string_view component,
                                                   std::uint64_t bytes) {
  return state_->try_reserve(component, bytes);
}

Reservation MemoryBudgetManager::reserve_or_throw(std::string_view component, std::uint64_t bytes) {
  return try_reserve(component, bytes).value();
}

void MemoryBudgetManager::refresh() {
  state_->refresh();
}

PressureLevel MemoryBudgetManager::level() const {
  return state_->level();
}

std::uint64_t MemoryBudgetManager::total_bytes() const noexcept {
  return state_->total();
}

std::uint64_t MemoryBudgetManager::reserved_bytes() const {
  return state_->reserved();
}

std::uint64_t MemoryBudgetManager::reserved_bytes(std::string_view component) const {
  return state_->component(component).reserved_bytes;
}

std::uint64_t MemoryBudgetManager::budget_bytes(std::string_view component) const {
  return state_->component(component).budget_bytes;
}

bool MemoryBudgetManager::is_active(std::string_view component) const {
  return state_->component(component).active;
}

std::optional<std::string> MemoryBudgetManager::deactivation_reason(
    std::string_view component) const {
  ComponentMemory c = state_->component(component);
  if (c.active) return std::nullopt;
  return std::move(c.deactivation_reason);
}

MemorySnapshot MemoryBudgetManager::snapshot() const {
  return state_->snapshot();
}

ListenerId MemoryBudgetManager::on_pressure_change(
    std::function<void(const PressureChange&)> callback) {
  if (!callback) throw Error("MemoryBudgetManager::on_pressure_change: the callback is empty");
  return state_->listeners().add({.id = 0, .on_change = std::move(callback), .on_release = {}});
}

ListenerId MemoryBudgetManager::on_release(std::function<void(const MemoryReleased&)> callback) {
  if (!callback) throw Error("MemoryBudgetManager::on_release: the callback is empty");
  return state_->listeners().add({.id = 0, .on_change = {}, .on_release = std::move(callback)});
}

bool MemoryBudgetManager::unsubscribe(ListenerId id) {
  return state_->listeners().remove(id);
}

}  // namespace neat
