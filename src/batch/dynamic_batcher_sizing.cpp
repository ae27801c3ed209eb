// DynamicBatcherCore, sizing: the largest batch now (max_batch, the memory budget, the
// pressure level) and the size to form (preferred sizes or the size policy). Under the
// batcher's lock; the memory manager is asked without taking anything else.
// [batch.dyn.size] [batch.dyn.memory]
#include <fmt/format.h>

#include <algorithm>

#include "neat/batch/batch_size_policy.hpp"
#include "neat/detail/dynamic_batcher_core.hpp"
#include "neat/resources/memory_budget.hpp"
#include "resources/byte_text.hpp"

namespace neat::detail {

// [batch.dyn.size]
DynamicBatcherCore::Sizing DynamicBatcherCore::sizing(Actions& out) {
  Sizing s;
  const MemoryLimit limit = memory_limit();
  s.cap = limit.cap;
  if (s.cap != cap_) {
    out.decisions.push_back({cap_, s.cap, limit_reason(limit)});
    cap_ = s.cap;
  }
  const std::vector<std::size_t>& preferred = options_.preferred_sizes;
  if (options_.size_policy != nullptr) {
    s.policy = std::max<std::size_t>(1, options_.size_policy->preferred_size());
    s.full = std::min(s.policy, s.cap);
  } else {
    const auto fits = std::find_if(preferred.rbegin(), preferred.rend(),
                                   [&s](std::size_t p) { return p <= s.cap; });
    s.full = fits == preferred.rend() ? s.cap : *fits;
  }
  return s;
}

// [batch.dyn.memory] Pressure halves the largest batch per level above normal (critical: 1);
// the component's budget holds budget / memory_bytes_per_item requests at most.
DynamicBatcherCore::MemoryLimit DynamicBatcherCore::memory_limit() const {
  MemoryLimit limit;
  limit.cap = options_.max_batch;
  MemoryBudgetManager* memory = options_.memory;
  if (memory == nullptr) return limit;
  limit.pressure = memory->level();
  const auto shift = static_cast<unsigned>(limit.pressure);
  limit.cap = limit.pressure == PressureLevel::critical
                  ? 1
                  : std::max<std::size_t>(1, options_.max_batch >> shift);
  if (options_.memory_bytes_per_item > 0) {
    limit.budget = memory->budget_bytes(options_.component);
    const std::uint64_t fit = limit.budget / options_.memory_bytes_per_item;
    if (fit < limit.cap) {
      limit.cap = static_cast<std::size_t>(std::max<std::uint64_t>(1, fit));
      limit.by_budget = true;
    }
  }
  return limit;
}

std::string DynamicBatcherCore::limit_reason(const MemoryLimit& limit) const {
  if (limit.by_budget) {
    return fmt::format("memory budget of '{}' ({}) holds {} requests of {}", options_.component,
                       bytes_text(limit.budget), limit.cap,
                       bytes_text(options_.memory_bytes_per_item));
  }
  return fmt::format("memory pressure {}: batches of at most {} (max_batch {})",
                     to_string(limit.pressure), limit.cap, options_.max_batch);
}

// The largest preferred size that `available` requests fill (with a policy: its size), or all
// of them when they fill none.
std::size_t DynamicBatcherCore::batch_size(std::size_t available, const Sizing& sizing,
                                           const std::vector<std::size_t>& preferred) {
  if (sizing.policy > 0) return std::min(available, sizing.full);
  const auto fits = std::find_if(preferred.rbegin(), preferred.rend(),
                                 [available](std::size_t p) { return p <= available; });
  return fits == preferred.rend() ? available : *fits;
}

}  // namespace neat::detail
