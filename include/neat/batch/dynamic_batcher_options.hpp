// DynamicBatcher's vocabulary: its options, a request's options, its counters and the errors a
// request can end with. See dynamic_batcher.hpp for the batcher itself and its rules.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "neat/common/error.hpp"
#include "neat/common/types.hpp"

namespace neat {

class BatchSizePolicy;
class MemoryBudgetManager;
class Observer;

/// What happens to a request whose timeout passes while it is queued in the batcher.
enum class TimeoutPolicy : std::uint8_t {
  reject,      // its future gets RequestTimedOut; the rest of its level is untouched
  run_anyway,  // its level fires at once (when a batch slot is free): it waits no longer
};

struct DynamicBatcherOptions {
  /// Name of the batch operations and of the batcher in error messages.
  std::string name = "batch";
  /// Names each batch operation instead, from its size: called once per batch, possibly from
  /// several threads at once (so it must be thread-safe), e.g. "chat#3 (8 requests)" in traces.
  /// Empty: every batch is named `name`. One that throws fails its batch like a refusal.
  std::function<std::string(std::size_t size)> batch_name{};
  /// The component the batches belong to: their priority comes from the request, their memory
  /// from this component's budget (required when memory_bytes_per_item > 0).
  std::string component{};
  /// Level of a request that does not name one.
  ExecutionPriority priority = ExecutionPriority::medium;
  /// No batch is larger than this (>= 1).
  std::size_t max_batch = 32;
  /// Sizes to form, ascending, each in [1, max_batch]; empty: max_batch. See [batch.dyn.size].
  std::vector<std::size_t> preferred_sizes{};
  /// Instead of preferred_sizes: its preferred_size() is the size to form, asked before each
  /// decision, and record() hears how every batch went. Must outlive the batcher.
  BatchSizePolicy* size_policy = nullptr;
  /// The longest the oldest request of a level waits for company (>= 0).
  std::chrono::nanoseconds max_delay = std::chrono::milliseconds(1);
  /// Shorten the wait when company is not coming, see [batch.dyn.fire].
  bool adaptive_delay = true;
  /// Batches submitted and not finished, at most (critical ones excepted); 0: no limit.
  /// With a limit, requests batch up while every slot is busy. See [batch.dyn.fire].
  std::size_t max_in_flight = 0;
  /// Requests queued in the batcher (not yet in a batch), at most (>= 1).
  std::size_t queue_capacity = 1024;
  TimeoutPolicy timeout_policy = TimeoutPolicy::reject;
  /// Each batch declares memory_bytes = this × its size, so the scheduler's memory admission
  /// (SchedulerOptions::memory) reserves it before the batch starts. 0: none.
  std::uint64_t memory_bytes_per_item = 0;
  /// The scheduler's memory manager, to keep batches within the component's budget and to
  /// shrink them under pressure, see [batch.dyn.memory]. Must outlive the batcher.
  MemoryBudgetManager* memory = nullptr;
  /// Receives on_batch_decision when memory changes the largest batch. Must outlive it.
  Observer* observer = nullptr;
  /// For the scheduler's PerformanceProfiler: each batch is submitted with this kind and the
  /// footprint {size}. Empty: none.
  std::string profile_kind{};
};

/// Per request; the defaults take the batcher's.
struct RequestOptions {
  std::optional<ExecutionPriority> priority{};
  /// The longest it may wait in the batcher's queue; 0: no limit (>= 0).
  std::chrono::nanoseconds timeout{0};
};

/// Counters since construction.
struct DynamicBatcherStats {
  std::uint64_t submitted = 0;       // requests accepted by submit()
  std::uint64_t refused_full = 0;    // submit() calls refused: the queue was full
  std::uint64_t timed_out = 0;       // requests rejected by their timeout
  std::uint64_t late = 0;            // requests run after their timeout (run_anyway)
  std::uint64_t batches = 0;         // batches submitted to the scheduler
  std::uint64_t failed_batches = 0;  // batches whose requests got an exception
  std::size_t largest_batch = 0;
  // Why batches fired ([batch.dyn.fire]); they add up to `batches`.
  std::uint64_t fired_full = 0;
  std::uint64_t fired_delay = 0;
  std::uint64_t fired_sparse = 0;
  std::uint64_t fired_free_slot = 0;
  std::uint64_t fired_late = 0;
  std::uint64_t fired_critical = 0;
  std::uint64_t fired_flush = 0;
  // Now.
  std::size_t queued = 0;
  std::size_t in_flight = 0;
  std::size_t max_batch_now = 0;  // max_batch, or less under memory limits
};

/// submit() on a full queue. Nothing was queued.
class BatcherQueueFull : public Error {
 public:
  BatcherQueueFull(const std::string& batcher, std::size_t capacity);
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  std::size_t capacity_;
};

/// A request's timeout passed while it was queued (TimeoutPolicy::reject).
class RequestTimedOut : public Error {
 public:
  RequestTimedOut(const std::string& batcher, std::chrono::nanoseconds waited,
                  std::chrono::nanoseconds timeout);
  [[nodiscard]] std::chrono::nanoseconds timeout() const noexcept { return timeout_; }

 private:
  std::chrono::nanoseconds timeout_;
};

}  // namespace neat
