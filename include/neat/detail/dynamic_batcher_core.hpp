// DynamicBatcherCore: the type-erased side of DynamicBatcher<Request, Response>. It knows a
// request only as a BatchItem (arrival, timeout, a way to fail it): it queues them per priority
// level, decides when a level fires and how large the batch is, submits batches to the
// ExecutionScheduler, and keeps one timer thread for the delays and timeouts. The typed layer
// runs a batch (execute) and fulfils each request's promise. [batch.dyn]
//
// Files: src/batch/dynamic_batcher_core.cpp (queueing, firing rules, timeouts),
// src/batch/dynamic_batcher_sizing.cpp (batch sizes, memory limits),
// src/batch/dynamic_batcher_run.cpp (dispatch, completion, timer, shutdown),
// src/batch/dynamic_batcher_options.cpp (validation, errors).
//
// Thread-safety: every public member may be called from any thread; one mutex guards the
// queues. The scheduler and the memory manager are called without it held, except the
// memory manager's level() and budget_bytes() while sizing (batcher -> memory, never back).
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "neat/batch/dynamic_batcher_options.hpp"
#include "neat/common/types.hpp"
#include "neat/core/op_context.hpp"
#include "neat/detail/thread_annotations.hpp"
#include "neat/resources/memory_pressure.hpp"
#include "neat/trace/observer.hpp"

namespace neat {
class ExecutionScheduler;
}  // namespace neat

// [batch.dyn.tsan] A request's promise may hold the last reference to the exception its future
// rethrew, after the client has read it; libstdc++ counts those references in code that
// ThreadSanitizer does not instrument, so the free would look like a race to it. Writes are
// ignored while a finished promise is destroyed (ThreadSanitizer builds only).
#if defined(__SANITIZE_THREAD__)
#define NEAT_DETAIL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NEAT_DETAIL_TSAN 1
#endif
#endif
#if defined(NEAT_DETAIL_TSAN)
extern "C" void AnnotateIgnoreWritesBegin(const char* file, int line);
extern "C" void AnnotateIgnoreWritesEnd(const char* file, int line);
#endif

namespace neat::detail {

/// While it lives, ThreadSanitizer ignores this thread's writes; nothing elsewhere.
class IgnoreWritesForSanitizer {
 public:
  IgnoreWritesForSanitizer() noexcept {
#if defined(NEAT_DETAIL_TSAN)
    AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
#endif
  }
  ~IgnoreWritesForSanitizer() {
#if defined(NEAT_DETAIL_TSAN)
    AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
#endif
  }
  IgnoreWritesForSanitizer(const IgnoreWritesForSanitizer&) = delete;
  IgnoreWritesForSanitizer& operator=(const IgnoreWritesForSanitizer&) = delete;
};

/// One queued request. The typed layer derives from it to hold the request and its promise.
struct BatchItem {
  BatchItem() = default;
  virtual ~BatchItem() = default;
  BatchItem(const BatchItem&) = delete;
  BatchItem& operator=(const BatchItem&) = delete;
  /// Give the request's future `error`; no effect when it already has an outcome.
  virtual void fail(const std::exception_ptr& error) noexcept = 0;

  Clock::time_point arrival{};
  Clock::time_point expiry = Clock::time_point::max();  // max: none, or already handled
  std::chrono::nanoseconds timeout{0};
  std::uint64_t seq = 0;  // submission order
  bool late = false;      // ran past its timeout (run_anyway)
};
using BatchItems = std::vector<std::unique_ptr<BatchItem>>;

enum class FireReason : std::uint8_t { full, delay, sparse, free_slot, late, critical, flush };

class DynamicBatcherCore : public std::enable_shared_from_this<DynamicBatcherCore> {
 public:
  /// Validates the options (neat::Error naming the batcher and the option).
  DynamicBatcherCore(ExecutionScheduler& scheduler, DynamicBatcherOptions options);
  virtual ~DynamicBatcherCore();
  DynamicBatcherCore(const DynamicBatcherCore&) = delete;
  DynamicBatcherCore& operator=(const DynamicBatcherCore&) = delete;

  /// Start the timer thread. Call once, before anything else.
  void start();
  /// Flush, wait until idle, stop the timer thread. Call once, last.
  void stop();

  /// The level of a request with these options; throws neat::Error when they are invalid.
  [[nodiscard]] ExecutionPriority level_of(const RequestOptions& options) const;
  /// Queue `item` (its arrival is now); may dispatch batches on this thread. Throws
  /// BatcherQueueFull when the queue is full; `item` is dropped then and nothing changes.
  void enqueue(std::unique_ptr<BatchItem> item, ExecutionPriority level,
               std::chrono::nanoseconds timeout);
  /// Dispatch every request queued now without waiting for its delay (as slots allow).
  void flush();
  /// Block until nothing is queued or in flight. Not from a worker.
  void wait_idle();
  [[nodiscard]] DynamicBatcherStats stats() const;
  [[nodiscard]] const DynamicBatcherOptions& options() const noexcept { return options_; }

 protected:
  /// Run the batch function over `items` (in order) and fulfil each one; throw to fail all.
  virtual void execute(BatchItems& items, OpContext& ctx) = 0;
  /// For execute(): the error for a batch function that returned the wrong number of results.
  [[noreturn]] void throw_count_mismatch(std::size_t responses, std::size_t requests) const;

 private:
  struct Level {
    std::deque<std::unique_ptr<BatchItem>> pending;
    Clock::time_point last_arrival{};
    Clock::duration gap_ewma{0};  // mean time between arrivals, while arrivals are dense
    bool seen = false;            // an arrival happened
    bool has_gap = false;         // gap_ewma describes the current stream
    std::size_t late = 0;         // pending requests past their timeout (run_anyway)
    std::size_t timed = 0;        // pending requests whose timeout has not been handled
  };
  struct Batch {
    BatchItems items;
    ExecutionPriority level = ExecutionPriority::medium;
    Clock::time_point oldest{};
  };
  struct Sizing {
    std::size_t cap = 1;     // the largest batch now
    std::size_t full = 1;    // a level holding this many fires at once
    std::size_t policy = 0;  // size_policy's preferred size (0: none)
  };
  struct MemoryLimit {
    std::size_t cap = 1;
    PressureLevel pressure = PressureLevel::normal;
    std::uint64_t budget = 0;
    bool by_budget = false;  // the budget, not the pressure, set `cap`
  };
  struct Decision {
    std::size_t from = 0;
    std::size_t to = 0;
    std::string reason{};
  };
  struct Expired {
    std::unique_ptr<BatchItem> item;
    std::chrono::nanoseconds waited{0};
  };
  // What a decision pass found to do once the lock is released.
  struct Actions {
    std::vector<Batch> batches;
    std::vector<Expired> expired;
    std::vector<Decision> decisions;
    [[nodiscard]] bool empty() const noexcept {
      return batches.empty() && expired.empty() && decisions.empty();
    }
  };

  // dynamic_batcher_core.cpp: decisions, under the lock.
  void note_arrival(Level& level, Clock::time_point now) NEAT_REQUIRES(mutex_);
  void collect(Clock::time_point now, Actions& out) NEAT_REQUIRES(mutex_);
  [[nodiscard]] std::optional<FireReason> fire_reason(const Level& level, std::size_t index,
                                                      Clock::time_point now,
                                                      const Sizing& sizing) const
      NEAT_REQUIRES(mutex_);
  [[nodiscard]] bool sparse(const Level& level) const NEAT_REQUIRES(mutex_);
  [[nodiscard]] bool slot_free() const NEAT_REQUIRES(mutex_);
  [[nodiscard]] Sizing sizing(Actions& out) NEAT_REQUIRES(mutex_);
  [[nodiscard]] MemoryLimit memory_limit() const;
  [[nodiscard]] std::string limit_reason(const MemoryLimit& limit) const;
  [[nodiscard]] static std::size_t batch_size(std::size_t available, const Sizing& sizing,
                                              const std::vector<std::size_t>& preferred);
  void pop_batch(std::size_t index, FireReason reason, std::size_t size, Actions& out)
      NEAT_REQUIRES(mutex_);
  void count_fire(FireReason reason) NEAT_REQUIRES(mutex_);
  void expire(Clock::time_point now, Actions& out) NEAT_REQUIRES(mutex_);
  [[nodiscard]] Clock::time_point level_deadline(const Level& level, std::size_t index) const
      NEAT_REQUIRES(mutex_);
  [[nodiscard]] Clock::time_point earliest_deadline() const NEAT_REQUIRES(mutex_);
  [[nodiscard]] Clock::time_point next_wake() const NEAT_REQUIRES(mutex_);
  void poke_timer(Clock::time_point candidate) NEAT_REQUIRES(mutex_);
  [[nodiscard]] bool idle() const NEAT_REQUIRES(mutex_);

  // dynamic_batcher_run.cpp: acting on decisions, without the lock.
  void perform(Actions actions);
  void finish(Actions actions);
  [[nodiscard]] bool dispatch(Batch& batch);
  void run_batch(Batch& batch, OpContext& ctx);
  void record(const Batch& batch, Clock::duration run_time, bool failed_for_memory) const;
  void finish_batch(bool failed);
  void timer_loop();

  ExecutionScheduler& scheduler_;
  const DynamicBatcherOptions options_;

  mutable Mutex mutex_;
  std::array<Level, k_priority_levels> levels_ NEAT_GUARDED_BY(mutex_);
  std::size_t queued_ NEAT_GUARDED_BY(mutex_) = 0;
  std::size_t in_flight_ NEAT_GUARDED_BY(mutex_) = 0;
  std::size_t busy_ NEAT_GUARDED_BY(mutex_) = 0;  // threads acting on decisions, unlocked
  std::uint64_t next_seq_ NEAT_GUARDED_BY(mutex_) = 0;
  std::uint64_t flush_seq_ NEAT_GUARDED_BY(mutex_) = 0;  // requests below it go at once
  std::size_t cap_ NEAT_GUARDED_BY(mutex_) = 0;          // the last largest batch reported
  DynamicBatcherStats stats_ NEAT_GUARDED_BY(mutex_);
  bool stopping_ NEAT_GUARDED_BY(mutex_) = false;
  // When the timer thread sleeps: the time it wakes; while it is awake: min().
  Clock::time_point timer_wake_ NEAT_GUARDED_BY(mutex_) = Clock::time_point::min();
  std::condition_variable_any timer_cv_;
  std::condition_variable_any idle_cv_;
  std::thread timer_;
};

}  // namespace neat::detail
