// MemoryBudgetManager: one memory budget for the process, split among the model's components,
// with RAII reservations, pressure levels from reservations and real readings, and progressive
// deactivation of the least important components when memory runs short.
//
// - Total: `total_bytes`, or by default the smaller of the cgroup limit and MemTotal less
//   `margin_fraction` (default_memory_total).
// - Budgets: explicit component budgets as given; the rest of the total split by importance
//   (ComponentResourceManager::budgets_for). Registering a component re-splits; reservations
//   already held stay, even above a smaller new budget.
// - Admission [resources.memory.admit]: try_reserve(c, n) is granted when c is registered and
//   active, c's reservations plus n stay within c's budget, and max(all reservations, real
//   usage) plus n stays within the total. So no reservation exceeds its budget, and the
//   reservations never sum past the total. Never blocks: waiting is the caller's business
//   (subscribe on_release / on_pressure_change and retry).
// - Levels [resources.memory.levels]: usage = max(reserved / total, real_usage_fraction(last
//   sample)), mapped through the thresholds with hysteresis; updated at each reservation,
//   release and sample.
// - Deactivation [resources.memory.shed]: components are ordered by importance (ties: the later
//   registered is less important). Those of the highest importance are never deactivated.
//     high, entered from below:   the least important active component is deactivated;
//     high, at each later sample: one more, unless usage fell by `shed_progress` since the last
//                                 sample (samples: refresh(), and try_reserve's periodic one);
//     critical:                   every component but the most important;
//     back below high:            all reactivated, most important first.
//   (Falling from critical to high reactivates nothing yet.) A deactivated component's new
//   requests are refused with component_inactive and the reason; what it holds stays held.
// - Listeners: on_pressure_change gets every level change and every (de/re)activation;
//   on_release every released reservation. They run after the manager's lock is released, on
//   the thread that caused the event or on one already delivering; one at a time, in event
//   order. A listener may call the manager (its own events are delivered after it returns) and
//   must not throw (std::terminate).
//
// Thread-safety: every member may be called from any thread, workers included; one mutex guards
// the state (held for a sort of the components at most, never while calling the sampler or a
// listener). try_reserve() takes a new sample (a few file reads) when `sample_interval` has
// passed; only unsubscribe() may wait (for a listener call in progress on another thread).
//
// Usage:
//   neat::MemoryBudgetManager memory({.total_bytes = 8ull << 30});
//   memory.register_component({.name = "titans_memory", .importance = 3});
//   memory.register_component({.name = "blt_encoder", .importance = 1});
//   auto id = memory.on_release([&](const neat::MemoryReleased&) { scheduler_retry(); });
//   if (neat::ReservationResult r = memory.try_reserve("blt_encoder", 512ull << 20)) {
//     neat::Reservation held = std::move(r).value();   // released when `held` dies
//   } else if (!r.error().may_fit_later()) {
//     fail(r.error().message);                          // larger than the budget: says so
//   }
//   memory.unsubscribe(id);
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neat/resources/component_registry.hpp"
#include "neat/resources/memory_pressure.hpp"
#include "neat/resources/memory_reservation.hpp"
#include "neat/resources/memory_sample.hpp"

namespace neat {

struct MemoryBudgetOptions {
  /// The bytes to share; 0: default_memory_total(first sample, margin_fraction).
  std::uint64_t total_bytes = 0;
  /// With total_bytes 0: the part of MemTotal left to the system and other processes, [0, 1).
  double margin_fraction = 0.10;
  PressureThresholds thresholds{};
  /// Where real readings come from; empty: read_memory_sample. Called without the lock.
  std::function<MemorySample()> sampler{};
  /// try_reserve() samples again when the last sample is older than this; 0: only refresh().
  std::chrono::milliseconds sample_interval{100};
  /// At high, each sample deactivates one more component unless the usage fell by at least
  /// this fraction of the total since the previous sample; [0, 1].
  double shed_progress = 0.01;
};

/// A level change, or components (de/re)activated at the same level.
struct PressureChange {
  PressureLevel from = PressureLevel::normal;
  PressureLevel to = PressureLevel::normal;
  double usage = 0;                        // the fraction of the total that set the level
  std::vector<std::string> deactivated{};  // least important first
  std::vector<std::string> reactivated{};  // most important first
};

struct MemoryReleased {
  std::string component{};
  std::uint64_t bytes = 0;
  std::uint64_t component_reserved_bytes = 0;  // what the component still holds
  std::uint64_t reserved_bytes = 0;            // what all components still hold
};

struct ComponentMemory {
  std::string name{};
  double importance = 0;
  std::uint64_t budget_bytes = 0;
  std::uint64_t reserved_bytes = 0;
  bool active = true;
  std::string deactivation_reason{};  // "" when active
};

struct MemorySnapshot {
  PressureLevel level = PressureLevel::normal;
  std::uint64_t total_bytes = 0;
  std::uint64_t reserved_bytes = 0;
  double real_fraction = 0;                   // real_usage_fraction of the last sample
  double usage = 0;                           // max(reserved / total, real_fraction)
  MemorySample sample{};                      // the last reading
  std::vector<ComponentMemory> components{};  // registration order
};

using ListenerId = std::uint64_t;

namespace detail {
class MemoryBudgetState;
}

class MemoryBudgetManager {
 public:
  /// Takes a first sample. Throws neat::Error for invalid options, or when total_bytes is 0 and
  /// the sample knows neither MemTotal nor a cgroup limit.
  explicit MemoryBudgetManager(MemoryBudgetOptions options = {});
  /// The same, then register_components(components).
  MemoryBudgetManager(const ComponentResourceManager& components, MemoryBudgetOptions options = {});
  /// Reservations must have been released before (checked in debug builds).
  ~MemoryBudgetManager();
  MemoryBudgetManager(const MemoryBudgetManager&) = delete;
  MemoryBudgetManager& operator=(const MemoryBudgetManager&) = delete;

  /// Register one component (validated as in [resources.components] against the total) and
  /// re-split the budgets. Throws neat::Error and changes nothing when invalid.
  void register_component(const ComponentConfig& config);
  /// Register all of them, or none when one is invalid.
  void register_components(const ComponentResourceManager& components);

  /// See [resources.memory.admit]. Never throws for a refusal; may throw what the sampler throws.
  [[nodiscard]] ReservationResult try_reserve(std::string_view component, std::uint64_t bytes);
  /// try_reserve(), throwing MemoryRefused (a neat::Error with the refusal's message).
  [[nodiscard]] Reservation reserve_or_throw(std::string_view component, std::uint64_t bytes);

  /// Take a sample now and apply it, with the step at high of [resources.memory.shed]. Calls
  /// the sampler without the lock; may throw what it throws.
  void refresh();

  [[nodiscard]] PressureLevel level() const;
  [[nodiscard]] std::uint64_t total_bytes() const noexcept;
  [[nodiscard]] std::uint64_t reserved_bytes() const;
  /// These throw neat::Error "unknown component 'x' (registered: ...)" for an unknown name.
  [[nodiscard]] std::uint64_t reserved_bytes(std::string_view component) const;
  [[nodiscard]] std::uint64_t budget_bytes(std::string_view component) const;
  [[nodiscard]] bool is_active(std::string_view component) const;
  /// Why the component is deactivated (level, usage, rule); nullopt while it is active.
  [[nodiscard]] std::optional<std::string> deactivation_reason(std::string_view component) const;
  [[nodiscard]] MemorySnapshot snapshot() const;

  /// Subscribe; throws neat::Error for an empty callback. The id unsubscribes.
  [[nodiscard]] ListenerId on_pressure_change(std::function<void(const PressureChange&)> callback);
  [[nodiscard]] ListenerId on_release(std::function<void(const MemoryReleased&)> callback);
  /// After it returns, the listener is not called again; from another thread than the one
  /// delivering, it waits for a call in progress to return. False for an unknown id.
  bool unsubscribe(ListenerId id);

 private:
  std::unique_ptr<detail::MemoryBudgetState> state_;
};

}  // namespace neat
