#include "neat/resources/memory_reservation.hpp"

#include <array>
#include <utility>

#include "memory_budget_state.hpp"

namespace neat {

std::string_view to_string(RefusalReason reason) noexcept {
  constexpr std::array<std::string_view, 4> k_names = {
      "unknown_component", "component_inactive", "over_component_budget", "over_global_budget"};
  const auto index = static_cast<std::size_t>(reason);
  return index < k_names.size() ? k_names[index] : "unknown";
}

MemoryRefused::MemoryRefused(Refusal refusal)
    : Error(refusal.message), refusal_(std::move(refusal)) {}

Reservation::Reservation(Reservation&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      component_(std::exchange(other.component_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)) {}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    component_ = std::exchange(other.component_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

const std::string& Reservation::component() const noexcept {
  static const std::string k_none;
  return component_ != nullptr ? component_->config.name : k_none;
}

void Reservation::release() noexcept {
  if (owner_ == nullptr) return;
  detail::MemoryBudgetState* owner = std::exchange(owner_, nullptr);
  detail::ComponentBudgetState* component = std::exchange(component_, nullptr);
  owner->release(*component, std::exchange(bytes_, 0));
}

Reservation& ReservationResult::value() & {
  if (const Refusal* refusal = std::get_if<Refusal>(&result_)) throw MemoryRefused(*refusal);
  return std::get<Reservation>(result_);
}

Reservation ReservationResult::value() && {
  return std::move(value());
}

const Refusal& ReservationResult::error() const {
  if (const Refusal* refusal = std::get_if<Refusal>(&result_)) return *refusal;
  throw Error("ReservationResult::error(): the reservation was granted, there is no refusal");
}

}  // namespace neat
