// ExecutionScheduler: the front door through which components submit operations over time,
// from any thread, including from inside running operations. Operations run on a
// ParallelExecutor's workers (the scheduler starts no thread of its own). [sched]
//
// - Strict priorities: a ready operation is chosen by the most urgent *effective* level.
// - Inheritance: an operation's effective level is the most urgent of its own and of every
//   unfinished operation that depends on it, transitively; raised when such a dependent arrives,
//   never lowered. Equal levels go by HEFT upward rank (cost_hint_us plus the longest chain of
//   dependents after it), then by submission order.
// - Aging: a waiting operation rises one level per `aging_quantum`, up to `aging_limit`, so low
//   priorities do not starve; a promoted operation goes before the others of its new level.
// - Dependencies point to earlier submissions (handles) or come from data accesses in
//   submission order, so the graph cannot form a cycle: no check is needed per submission.
// - Errors, cancellation and deadlines: see OpRef.
// - Preemption: a coroutine operation (its callable returns neat::Task<V>) may
//   `co_await ctx.checkpoint()`. When a more urgent operation is ready and every worker runs a
//   scheduler operation, the least urgent running coroutine is asked to yield; it parks at its
//   next checkpoint with status `paused` and is queued again, to resume later from where it
//   stopped, possibly on another worker. Plain callables run to completion.
// - Memory (SchedulerOptions::memory): an operation declaring memory_bytes starts only with a
//   reservation of its component's budget, held until it finishes. One that does not fit waits
//   with status `deferred` (reason() says why) and is retried on every release and pressure
//   change; more urgent operations get memory first. One larger than its component's budget
//   is refused at submission with the numbers.
// - Observing: operations appear in the executor's Observer as run 0, operation = submission
//   number; their start events are raised in exactly the order the scheduler dispatched them.
//
// Thread-safety: every member may be called from any thread. submit() never blocks on work;
// waiting on a handle from inside a worker helps execute other work.
//
//   neat::ParallelExecutor executor;
//   neat::ExecutionScheduler scheduler(executor);
//   auto embed = scheduler.submit({.descriptor = {.name = "embed", .component = "blt_encoder"}},
//                                 [] { return encode_bytes(); });
//   auto recall = scheduler.submit(
//       {.descriptor = {.name = "recall", .priority = neat::ExecutionPriority::critical},
//        .after = {embed}},
//       [&] { return memory.recall(embed.get()); });   // embed now runs at critical too
//   auto answer = recall.get();
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "neat/common/error.hpp"
#include "neat/core/executor.hpp"
#include "neat/core/graph.hpp"
#include "neat/core/run_handle.hpp"
#include "neat/detail/op_pool.hpp"
#include "neat/detail/sched_op.hpp"

namespace neat {

class MemoryBudgetManager;
class PerformanceProfiler;

struct SchedulerOptions {
  /// A waiting operation rises one priority level per quantum waited (0 disables aging).
  std::chrono::nanoseconds aging_quantum = std::chrono::milliseconds(20);
  /// Aging never raises an operation above this level.
  ExecutionPriority aging_limit = ExecutionPriority::high;
  /// Debug: every checkpoint of a coroutine operation yields, to flush out code that depends
  /// on running uninterrupted.
  bool yield_at_every_checkpoint = false;
  /// Debug: operations of equal level and rank run in a random order (seeded by
  /// `shuffle_seed`) instead of submission order, to flush out code that depends on it.
  bool shuffle_equal_priorities = false;
  std::uint64_t shuffle_seed = 1;
  /// Watchdog: report through the executor's Observer (on_long_running) each operation that
  /// has been running longer than this (0: off). Checked whenever the scheduler submits or
  /// dispatches, by threads waiting on handles, and by check_watchdog().
  std::chrono::nanoseconds watchdog_threshold{0};
  /// Execution-time prediction: for a submission with a `kind`, the profiler's estimate is its
  /// cost when it has no cost_hint_us, and its measured run time is recorded when it
  /// completes. Must outlive the scheduler. nullptr: costs come from cost_hint_us only.
  PerformanceProfiler* profiler = nullptr;
  /// Memory admission [sched.memory]: an operation whose descriptor declares memory_bytes starts
  /// only once it holds a reservation of that many bytes of its component's budget, and holds
  /// it until it finishes. Must outlive the scheduler. nullptr: memory_bytes is not enforced.
  MemoryBudgetManager* memory = nullptr;
};

/// A submitted operation, without its result type: something to depend on, wait on or cancel.
/// Copies refer to the same operation.
class OpRef {
 public:
  OpRef() = default;

  [[nodiscard]] bool valid() const noexcept { return op_ != nullptr; }
  [[nodiscard]] OpStatus status() const;
  [[nodiscard]] bool done() const;
  /// The level it would be scheduled at now: its own, or higher by inheritance.
  [[nodiscard]] ExecutionPriority effective_priority() const;
  /// Block (or help, on a worker) until terminal; then throw OperationFailed when it failed,
  /// OperationCancelled when cancelled or timed out. Returns normally when completed.
  void wait() const;
  /// Wait at most `timeout`; never throws for the outcome.
  [[nodiscard]] WaitStatus wait_for(std::chrono::nanoseconds timeout) const;
  [[nodiscard]] WaitStatus wait_until(Clock::time_point deadline) const;
  /// Not started yet: it and its dependents end cancelled (with the reason). Running: its stop
  /// token is triggered; it ends as its body ends. Finished: no effect. Never blocks.
  void cancel() const;
  /// Why it did not complete ("" when it completed); while `deferred`, why it waits.
  [[nodiscard]] std::string reason() const;
  [[nodiscard]] std::string name() const;

 protected:
  explicit OpRef(std::shared_ptr<detail::SchedOp> op) noexcept : op_(std::move(op)) {}
  [[nodiscard]] detail::SchedOp& op() const;

 private:
  friend class ExecutionScheduler;
  friend class detail::SchedulerImpl;
  std::shared_ptr<detail::SchedOp> op_;
};

/// A submitted operation whose callable returns R.
template <class R>
class [[nodiscard]] OpHandle : public OpRef {
 public:
  OpHandle() = default;
  /// Wait, then return the result (a reference for non-void R) or throw like wait().
  decltype(auto) get() const {
    wait();
    if constexpr (!std::is_void_v<R>) return static_cast<detail::ResultHolder<R>&>(op()).result();
  }

 private:
  friend class ExecutionScheduler;
  explicit OpHandle(std::shared_ptr<detail::SchedOp> op) noexcept : OpRef(std::move(op)) {}
};

/// A submission: what the operation is, what it waits for, when it must be done by.
struct Submission {
  OperationDescriptor descriptor{};
  /// Earlier submissions this one runs after.
  std::vector<OpRef> after{};
  /// Data accesses, ordered against earlier submissions' accesses (RAW, WAR, WAW).
  std::vector<std::pair<DataHandle, AccessMode>> accesses{};
  /// Past this point a queued operation never starts and a running one is asked to stop;
  /// either way it ends timed_out. See also with_timeout().
  std::optional<Clock::time_point> deadline{};
  /// For the PerformanceProfiler (SchedulerOptions::profiler): what kind of operation this is
  /// ("gemm") and its size footprint ({m, n, k}).
  std::string kind{};
  std::vector<double> footprint{};
};

/// A deadline `timeout` from now.
[[nodiscard]] inline Clock::time_point with_timeout(std::chrono::nanoseconds timeout) {
  return Clock::now() + timeout;
}

/// Counters since construction (approximate while operations run).
struct SchedulerStats {
  std::uint64_t submitted = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t inherited = 0;  // effective-level raises by inheritance
  std::uint64_t promoted = 0;   // operations started early by aging
  std::uint64_t preemptions = 0;  // yield requests to running coroutine operations
  std::uint64_t parked = 0;       // times a coroutine operation parked at a checkpoint
  std::uint64_t long_running = 0;  // watchdog reports
};

class ExecutionScheduler {
 public:
  explicit ExecutionScheduler(ParallelExecutor& executor, SchedulerOptions options = {});
  /// Waits until every submitted operation is terminal. Must not be called from a worker.
  ~ExecutionScheduler();
  ExecutionScheduler(const ExecutionScheduler&) = delete;
  ExecutionScheduler& operator=(const ExecutionScheduler&) = delete;

  /// Submit `fn` (callable as fn() or fn(OpContext&)); a callable returning neat::Task<V> is a
  /// preemptible coroutine operation and gives an OpHandle<V>. Throws neat::Error for an
  /// invalid dependency handle or data handle, and changes nothing then.
  template <class F>
  [[nodiscard]] auto submit(Submission submission, F&& fn) {
    using Fn = std::decay_t<F>;
    using R = typename detail::CallResult<Fn>::type;
    if constexpr (IsTask<R>::value) {
      using V = typename R::value_type;
      using Op = detail::CoroutineOp<V, Fn>;
      auto op = std::allocate_shared<Op>(detail::PoolAllocator<Op>{},
                                         std::move(submission.descriptor), submission.deadline,
                                         std::forward<F>(fn));
      enqueue(op, submission);
      return OpHandle<V>(std::move(op));
    } else {
      using Op = detail::TypedOp<R, Fn>;
      auto op = std::allocate_shared<Op>(detail::PoolAllocator<Op>{},
                                         std::move(submission.descriptor), submission.deadline,
                                         std::forward<F>(fn));
      enqueue(op, submission);
      return OpHandle<R>(std::move(op));
    }
  }

  /// Submit every operation of `graph` at once, in topological order, each after its
  /// predecessors in the graph (explicit and data edges); handles[i] is operation i. Each
  /// operation's work is copied, so the graph may change or die afterwards; its descriptors
  /// (priority, component, memory, cost hint) are kept. Throws CycleError, or neat::Error for a
  /// descriptor the scheduler refuses (memory), before anything is submitted.
  [[nodiscard]] std::vector<OpHandle<void>> submit_graph(const OperationDependencyGraph& graph);

  /// A named piece of data for Submission::accesses.
  [[nodiscard]] DataHandle data(std::string_view name);

  /// Block until every operation submitted so far is terminal. Not from a worker.
  void wait_idle();
  /// Run the watchdog check now (for callers with their own event loop). Never blocks long.
  void check_watchdog();
  [[nodiscard]] SchedulerStats stats() const;

 private:
  void enqueue(const std::shared_ptr<detail::SchedOp>& op, const Submission& submission);
  std::unique_ptr<detail::SchedulerImpl> impl_;
};

}  // namespace neat
