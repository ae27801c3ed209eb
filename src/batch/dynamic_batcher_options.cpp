// DynamicBatcher: validation of the options and of a request's options, and the error types.
// Every message names the batcher and the option, with the numbers. [batch.dyn]
#include "neat/batch/dynamic_batcher_options.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <string>

#include "neat/detail/dynamic_batcher_core.hpp"
#include "neat/resources/memory_budget.hpp"
#include "resources/byte_text.hpp"

namespace neat {
namespace {

std::string duration_text(std::chrono::nanoseconds d) {
  const double ns = static_cast<double>(d.count());
  if (ns >= 1e9) return fmt::format("{:.3g} s", ns * 1e-9);
  if (ns >= 1e6) return fmt::format("{:.3g} ms", ns * 1e-6);
  if (ns >= 1e3) return fmt::format("{:.3g} us", ns * 1e-3);
  return fmt::format("{} ns", d.count());
}

bool valid_level(ExecutionPriority level) noexcept {
  return static_cast<std::size_t>(level) < k_priority_levels;
}

[[noreturn]] void fail(const DynamicBatcherOptions& o, const std::string& problem) {
  throw Error(fmt::format("DynamicBatcher '{}': {}", o.name, problem));
}

void check_sizes(const DynamicBatcherOptions& o) {
  if (o.max_batch == 0) fail(o, "max_batch must be at least 1");
  if (o.queue_capacity == 0) fail(o, "queue_capacity must be at least 1");
  if (o.size_policy != nullptr && !o.preferred_sizes.empty()) {
    fail(o, "preferred_sizes and size_policy are both set: give one of them");
  }
  for (std::size_t i = 0; i < o.preferred_sizes.size(); ++i) {
    const std::size_t size = o.preferred_sizes[i];
    if (size == 0 || size > o.max_batch) {
      fail(o, fmt::format("preferred_sizes[{}] = {} is not in [1, max_batch = {}]", i, size,
                          o.max_batch));
    }
    if (i > 0 && size <= o.preferred_sizes[i - 1]) {
      fail(o, fmt::format("preferred_sizes[{}] = {} does not follow {}: give them ascending, "
                          "without repeats",
                          i, size, o.preferred_sizes[i - 1]));
    }
  }
}

void check_memory(const DynamicBatcherOptions& o) {
  const std::uint64_t per_item = o.memory_bytes_per_item;
  if (per_item > 0 && o.component.empty()) {
    fail(o,
         "memory_bytes_per_item is set but component is empty: name the component whose "
         "budget pays for the batches");
  }
  if (per_item > 0 && per_item > std::numeric_limits<std::uint64_t>::max() / o.max_batch) {
    fail(o, fmt::format("memory_bytes_per_item {} x max_batch {} does not fit in 64 bits", per_item,
                        o.max_batch));
  }
  if (o.memory == nullptr) return;
  if (o.component.empty()) fail(o, "memory is set but component is empty");
  std::uint64_t budget = 0;
  try {
    budget = o.memory->budget_bytes(o.component);
  } catch (const Error& e) {
    fail(o, e.what());
  }
  if (per_item > budget) {
    fail(o, fmt::format("one request needs {} but component '{}' has a memory budget of {}: no "
                        "batch could ever start",
                        detail::bytes_text(per_item), o.component, detail::bytes_text(budget)));
  }
}

}  // namespace

BatcherQueueFull::BatcherQueueFull(const std::string& batcher, std::size_t capacity)
    : Error(fmt::format("DynamicBatcher '{}': queue full (capacity {})", batcher, capacity)),
      capacity_(capacity) {}

RequestTimedOut::RequestTimedOut(const std::string& batcher, std::chrono::nanoseconds waited,
                                 std::chrono::nanoseconds timeout)
    : Error(fmt::format("DynamicBatcher '{}': request timed out after waiting {} in the queue "
                        "(timeout {})",
                        batcher, duration_text(waited), duration_text(timeout))),
      timeout_(timeout) {}

namespace detail {

DynamicBatcherCore::DynamicBatcherCore(ExecutionScheduler& scheduler, DynamicBatcherOptions options)
    : scheduler_(scheduler), options_(std::move(options)) {
  const DynamicBatcherOptions& o = options_;
  if (o.name.empty()) throw Error("DynamicBatcher: name is empty");
  if (!valid_level(o.priority)) {
    fail(o, fmt::format("priority {} is not a priority level (0..{})", static_cast<int>(o.priority),
                        k_priority_levels - 1));
  }
  if (o.max_delay.count() < 0) {
    fail(o, fmt::format("max_delay is negative ({} ns)", o.max_delay.count()));
  }
  check_sizes(o);
  check_memory(o);
  cap_ = o.max_batch;
}

ExecutionPriority DynamicBatcherCore::level_of(const RequestOptions& options) const {
  const ExecutionPriority level = options.priority.value_or(options_.priority);
  if (!valid_level(level)) {
    fail(options_, fmt::format("request priority {} is not a priority level (0..{})",
                               static_cast<int>(level), k_priority_levels - 1));
  }
  if (options.timeout.count() < 0) {
    fail(options_, fmt::format("request timeout is negative ({} ns)", options.timeout.count()));
  }
  return level;
}

void DynamicBatcherCore::throw_count_mismatch(std::size_t responses, std::size_t requests) const {
  fail(options_, fmt::format("the batch function returned {} responses for {} requests; it must "
                             "return one per request, in order",
                             responses, requests));
}

}  // namespace detail
}  // namespace neat
