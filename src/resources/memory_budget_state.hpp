// The state behind a MemoryBudgetManager (and its Reservations). Internal to neat::sched.
// memory_budget.cpp: construction, registration, queries; memory_admission.cpp: reserve,
// release, sampling; memory_shedding.cpp: levels and (de/re)activation.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memory_listeners.hpp"
#include "neat/detail/thread_annotations.hpp"
#include "neat/resources/memory_budget.hpp"

namespace neat::detail {

struct ComponentBudgetState {
  explicit ComponentBudgetState(ComponentConfig c, std::size_t registration)
      : config(std::move(c)), order(registration) {}

  const ComponentConfig config;  // immutable: Reservations read the name without the lock
  const std::size_t order;       // registration index: the later, the less important on ties
  // Guarded by MemoryBudgetState::mutex_:
  std::uint64_t budget = 0;
  std::uint64_t reserved = 0;
  bool active = true;
  std::string reason;  // why it is inactive
};

class MemoryBudgetState {
 public:
  explicit MemoryBudgetState(MemoryBudgetOptions options);
  ~MemoryBudgetState();

  void register_all(const std::vector<ComponentConfig>& configs) NEAT_EXCLUDES(mutex_);
  ReservationResult try_reserve(std::string_view name, std::uint64_t bytes) NEAT_EXCLUDES(mutex_);
  void release(ComponentBudgetState& component, std::uint64_t bytes) noexcept NEAT_EXCLUDES(mutex_);
  void refresh() NEAT_EXCLUDES(mutex_);

  [[nodiscard]] std::uint64_t total() const noexcept { return total_; }
  [[nodiscard]] PressureLevel level() const NEAT_EXCLUDES(mutex_);
  [[nodiscard]] std::uint64_t reserved() const NEAT_EXCLUDES(mutex_);
  /// A copy of the named component's state; throws neat::Error for an unknown name.
  [[nodiscard]] ComponentMemory component(std::string_view name) const NEAT_EXCLUDES(mutex_);
  [[nodiscard]] MemorySnapshot snapshot() const NEAT_EXCLUDES(mutex_);

  MemoryListenerHub& listeners() noexcept { return hub_; }

 private:
  [[nodiscard]] ComponentBudgetState* find(std::string_view name) const NEAT_REQUIRES(mutex_);
  [[nodiscard]] double usage() const NEAT_REQUIRES(mutex_);
  [[nodiscard]] std::optional<Refusal> check(const ComponentBudgetState* component,
                                             std::string_view name, std::uint64_t bytes) const
      NEAT_REQUIRES(mutex_);
  [[nodiscard]] Refusal over_global(std::string_view name, std::uint64_t bytes,
                                    std::uint64_t committed) const NEAT_REQUIRES(mutex_);
  void maybe_sample() NEAT_EXCLUDES(mutex_);
  void sample_now() NEAT_EXCLUDES(mutex_);
  void apply_sample(const MemorySample& sample) NEAT_REQUIRES(mutex_);

  // [resources.memory.shed], memory_shedding.cpp
  void evaluate(bool tick) NEAT_REQUIRES(mutex_);
  void step_at_high(PressureChange& change, bool tick) NEAT_REQUIRES(mutex_);
  [[nodiscard]] std::vector<ComponentBudgetState*> shed_order() const NEAT_REQUIRES(mutex_);
  [[nodiscard]] double top_importance() const NEAT_REQUIRES(mutex_);
  void deactivate(ComponentBudgetState& component, PressureChange& change, std::string rule)
      NEAT_REQUIRES(mutex_);
  void deactivate_next(PressureChange& change) NEAT_REQUIRES(mutex_);
  void deactivate_all_but_top(PressureChange& change) NEAT_REQUIRES(mutex_);
  void reactivate_all(PressureChange& change) NEAT_REQUIRES(mutex_);

  const MemoryBudgetOptions options_;
  std::uint64_t total_ = 0;  // set once by the constructor

  mutable Mutex mutex_;
  ComponentResourceManager registry_ NEAT_GUARDED_BY(mutex_);  // validates registrations
  std::vector<std::unique_ptr<ComponentBudgetState>> components_ NEAT_GUARDED_BY(mutex_);
  std::map<std::string_view, ComponentBudgetState*, std::less<>> by_name_ NEAT_GUARDED_BY(mutex_);
  std::uint64_t reserved_ NEAT_GUARDED_BY(mutex_) = 0;
  PressureLevel level_ NEAT_GUARDED_BY(mutex_) = PressureLevel::normal;
  MemorySample sample_ NEAT_GUARDED_BY(mutex_);
  double real_fraction_ NEAT_GUARDED_BY(mutex_) = 0;
  std::uint64_t real_bytes_ NEAT_GUARDED_BY(mutex_) = 0;  // real_fraction_ of the total
  double shed_mark_ NEAT_GUARDED_BY(mutex_) = 0;          // usage at the last step at high

  // When try_reserve() samples next (steady clock, ns); only decides which thread samples.
  std::atomic<std::int64_t> next_sample_ns_{0};
  MemoryListenerHub hub_;
};

}  // namespace neat::detail
