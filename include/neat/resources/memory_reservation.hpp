// Memory reservations handed out by a MemoryBudgetManager: a Reservation holds bytes of one
// component's budget until it is destroyed (RAII), a Refusal says why a request was not granted,
// with the numbers.
//
// Thread-safety: a Reservation is owned by one thread at a time (move it to hand it over);
// destroying or releasing it takes the manager's lock briefly and may run the manager's release
// listeners on this thread. A Reservation must not outlive its manager.
//
// Usage:
//   neat::ReservationResult r = manager.try_reserve("titans_memory", 256ull << 20);
//   if (!r) return defer(r.error());            // r.error().reason, .message, may_fit_later()
//   neat::Reservation held = std::move(r).value();
//   ...                                          // use up to held.bytes() bytes
//   // ~Reservation returns them to titans_memory's budget
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "neat/common/error.hpp"

namespace neat {

namespace detail {
class MemoryBudgetState;
struct ComponentBudgetState;
}  // namespace detail

enum class RefusalReason : std::uint8_t {
  unknown_component,      // no component of that name is registered
  component_inactive,     // deactivated under memory pressure (see deactivation_reason())
  over_component_budget,  // the component's reservations would pass its budget
  over_global_budget,     // max(all reservations, real usage) would pass the total
};

[[nodiscard]] std::string_view to_string(RefusalReason reason) noexcept;

struct Refusal {
  RefusalReason reason = RefusalReason::unknown_component;
  std::string component{};
  std::uint64_t requested_bytes = 0;
  /// The limit that refused it: the component's budget (over_component_budget,
  /// component_inactive) or the manager's total (over_global_budget); 0 for unknown_component.
  std::uint64_t limit_bytes = 0;
  /// What was already in use under that limit.
  std::uint64_t in_use_bytes = 0;
  /// The whole story with the numbers, e.g. "component 'a': 300.0 MiB (314572800 bytes)
  /// requested, budget 256.0 MiB (268435456 bytes) with 0 bytes reserved".
  std::string message{};

  /// Whether waiting can help: the component exists and the request is no larger than the
  /// limit. False means the request can never be granted as it is.
  [[nodiscard]] bool may_fit_later() const noexcept {
    return reason != RefusalReason::unknown_component && requested_bytes <= limit_bytes;
  }
};

/// Thrown by reserve_or_throw() and ReservationResult::value() for a refused request.
class MemoryRefused : public Error {
 public:
  explicit MemoryRefused(Refusal refusal);
  [[nodiscard]] const Refusal& refusal() const noexcept { return refusal_; }

 private:
  Refusal refusal_;
};

/// Bytes of one component's budget, held until destruction or release(). Move-only.
class Reservation {
 public:
  /// Holds nothing.
  Reservation() noexcept = default;
  Reservation(Reservation&& other) noexcept;
  /// Releases what this one held, then takes over `other`'s.
  Reservation& operator=(Reservation&& other) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation() { release(); }

  /// Whether it holds a grant (possibly of 0 bytes).
  [[nodiscard]] bool holds() const noexcept { return owner_ != nullptr; }
  explicit operator bool() const noexcept { return holds(); }
  /// The component whose budget it draws on ("" when it holds nothing).
  [[nodiscard]] const std::string& component() const noexcept;
  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }
  /// Give the bytes back now (no effect when it holds nothing). Runs release listeners.
  void release() noexcept;

 private:
  friend class detail::MemoryBudgetState;
  Reservation(detail::MemoryBudgetState* owner, detail::ComponentBudgetState* component,
              std::uint64_t bytes) noexcept
      : owner_(owner), component_(component), bytes_(bytes) {}

  detail::MemoryBudgetState* owner_ = nullptr;
  detail::ComponentBudgetState* component_ = nullptr;
  std::uint64_t bytes_ = 0;
};

/// Either a Reservation or the Refusal that says why there is none (like std::expected).
class [[nodiscard]] ReservationResult {
 public:
  ReservationResult(Reservation reservation) noexcept : result_(std::move(reservation)) {}
  ReservationResult(Refusal refusal) noexcept : result_(std::move(refusal)) {}

  [[nodiscard]] bool has_value() const noexcept { return result_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  /// The reservation; throws MemoryRefused when the request was refused.
  [[nodiscard]] Reservation& value() &;
  [[nodiscard]] Reservation value() &&;
  /// The refusal; throws neat::Error when the request was granted.
  [[nodiscard]] const Refusal& error() const;

 private:
  std::variant<Reservation, Refusal> result_;
};

}  // namespace neat
