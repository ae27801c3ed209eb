// [resources.memory.admit] reservations, releases and sampling.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "byte_text.hpp"
#include "memory_budget_state.hpp"
#include "neat/detail/assert.hpp"

namespace neat::detail {
namespace {

// used + add <= limit, without overflow (used may already exceed a re-split budget).
bool fits(std::uint64_t used, std::uint64_t add, std::uint64_t limit) noexcept {
  return used <= limit && add <= limit - used;
}

std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<Refusal> MemoryBudgetState::check(const ComponentBudgetState* c,
                                                std::string_view name, std::uint64_t bytes) const {
  Refusal r{.reason = RefusalReason::unknown_component,
            .component = std::string(name),
            .requested_bytes = bytes,
            .limit_bytes = 0,
            .in_use_bytes = 0,
            .message = {}};
  if (c == nullptr) {
    r.message = registry_.unknown_component_message(name);
    return r;
  }
  r.limit_bytes = c->budget;
  r.in_use_bytes = c->reserved;
  if (!c->active) {
    r.reason = RefusalReason::component_inactive;
    r.message =
        fmt::format("component '{}': {} requested while {}", name, bytes_text(bytes), c->reason);
    return r;
  }
  if (!fits(c->reserved, bytes, c->budget)) {
    r.reason = RefusalReason::over_component_budget;
    r.message = fmt::format("component '{}': {} requested, budget {} with {} reserved", name,
                            bytes_text(bytes), bytes_text(c->budget), bytes_text(c->reserved));
    return r;
  }
  const std::uint64_t committed = std::max(reserved_, real_bytes_);
  if (!fits(committed, bytes, total_)) return over_global(name, bytes, committed);
  return std::nullopt;
}

Refusal MemoryBudgetState::over_global(std::string_view name, std::uint64_t bytes,
                                       std::uint64_t committed) const {
  return {.reason = RefusalReason::over_global_budget,
          .component = std::string(name),
          .requested_bytes = bytes,
          .limit_bytes = total_,
          .in_use_bytes = committed,
          .message = fmt::format(
              "component '{}': {} requested, but {} of the total {} is in use (reserved {}, "
              "real usage {})",
              name, bytes_text(bytes), bytes_text(committed), bytes_text(total_),
              bytes_text(reserved_), bytes_text(real_bytes_))};
}

ReservationResult MemoryBudgetState::try_reserve(std::string_view name, std::uint64_t bytes) {
  maybe_sample();
  ComponentBudgetState* c = nullptr;
  {
    const LockGuard lock(mutex_);
    c = find(name);
    if (std::optional<Refusal> refusal = check(c, name, bytes)) return std::move(*refusal);
    c->reserved += bytes;
    reserved_ += bytes;
    NEAT_ASSERT(c->reserved <= c->budget && reserved_ <= total_, "reservation past a budget");
    evaluate(false);
  }
  hub_.deliver();
  return Reservation(this, c, bytes);
}

void MemoryBudgetState::release(ComponentBudgetState& c, std::uint64_t bytes) noexcept {
  {
    const LockGuard lock(mutex_);
    NEAT_ASSERT(c.reserved >= bytes && reserved_ >= bytes, "release of more than reserved");
    c.reserved -= bytes;
    reserved_ -= bytes;
    evaluate(false);
    if (hub_.wants_releases()) {
      hub_.post(MemoryReleased{.component = c.config.name,
                               .bytes = bytes,
                               .component_reserved_bytes = c.reserved,
                               .reserved_bytes = reserved_});
    }
  }
  hub_.deliver();
}

// Which thread samples is decided by one compare-exchange; the sample itself is applied under
// the mutex, so relaxed ordering suffices here.
void MemoryBudgetState::maybe_sample() {
  const std::int64_t interval = std::chrono::nanoseconds(options_.sample_interval).count();
  if (interval == 0) return;
  const std::int64_t now = steady_ns();
  std::int64_t due = next_sample_ns_.load(std::memory_order_relaxed);
  if (now < due) return;
  if (!next_sample_ns_.compare_exchange_strong(due, now + interval, std::memory_order_relaxed)) {
    return;  // another thread takes this sample
  }
  sample_now();
}

void MemoryBudgetState::refresh() {
  const std::int64_t interval = std::chrono::nanoseconds(options_.sample_interval).count();
  next_sample_ns_.store(steady_ns() + interval, std::memory_order_relaxed);
  sample_now();
}

void MemoryBudgetState::sample_now() {
  const MemorySample sample = options_.sampler();  // without the lock: it reads files
  {
    const LockGuard lock(mutex_);
    apply_sample(sample);
    evaluate(true);
  }
  hub_.deliver();
}

void MemoryBudgetState::apply_sample(const MemorySample& sample) {
  sample_ = sample;
  real_fraction_ = real_usage_fraction(sample, total_);
  const double bytes = std::round(real_fraction_ * static_cast<double>(total_));
  // Beyond 2^63 bytes nothing fits anyway; the cap keeps the conversion defined.
  constexpr double k_cap = 9223372036854775808.0;
  real_bytes_ = bytes >= k_cap ? std::uint64_t{1} << 63 : static_cast<std::uint64_t>(bytes);
}

}  // namespace neat::detail
