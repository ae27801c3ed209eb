// SchedulerImpl: the ExecutionScheduler's state — the dynamic dependency graph of unfinished
// operations, the ready queue, data-access history and deadlines — behind one mutex, and the
// dispatch of ready operations onto the executor's workers. [sched.impl]
//
// Files: scheduler_impl.cpp (the graph: readiness, inheritance, completion, deadlines,
// preemption requests), scheduler_submit.cpp (submission, the lock-free intake),
// scheduler_dispatch.cpp (dispatch tokens, running operations, waiting).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/executor_core.hpp"
#include "neat/detail/thread_annotations.hpp"
#include "neat/sched/execution_scheduler.hpp"
#include "sched/ready_queue.hpp"

namespace neat::detail {

/// The cost for ranks: the caller's hint, else the profiler's estimate, else 1 µs.
inline double cost_of(const SchedOp& op) {
  if (op.descriptor().cost_hint_us > 0.0) return op.descriptor().cost_hint_us;
  return op.extras && op.extras->estimate_us > 0.0 ? op.extras->estimate_us : 1.0;
}

class SchedulerImpl final : public UrgentWorkListener {
 public:
  SchedulerImpl(ParallelExecutor& executor, const SchedulerOptions& options);
  ~SchedulerImpl();
  SchedulerImpl(const SchedulerImpl&) = delete;
  SchedulerImpl& operator=(const SchedulerImpl&) = delete;

  void enqueue(const std::shared_ptr<SchedOp>& op, const Submission& submission);
  /// The memory checks of a submission's descriptor ([sched.memory]); throws neat::Error.
  void validate_memory(const OperationDescriptor& descriptor) const;
  DataHandle data(std::string_view name);
  void cancel(SchedOp& op);
  [[nodiscard]] ExecutionPriority effective_priority(const SchedOp& op) const;
  /// Wait for `op` (helping on a worker) until done or `until`; drives deadline expiry.
  bool wait(SchedOp& op, std::optional<Clock::time_point> until);
  void wait_idle();
  SchedulerStats stats();
  void check_watchdog();

  /// Run the most urgent ready operation on `worker` (called by dispatch jobs).
  void dispatch(Worker& worker, ExecutionPriority token_level);
  void token_started(ExecutionPriority level) noexcept;
  void token_finished() noexcept;
  /// A graph run on the same executor brought work of `level`: running coroutine operations
  /// less urgent than it may have to yield, as for a scheduler arrival. [sched.preempt]
  void on_urgent_work(ExecutionPriority level) override;

 private:
  struct DataState {
    std::string name;
    std::shared_ptr<SchedOp> last_writer;
    std::vector<std::shared_ptr<SchedOp>> readers;
  };
  void validate(const SchedOp& op, const Submission& submission) const;
  void validate_accesses(const SchedOp& op, const Submission& submission) const
      NEAT_REQUIRES(mutex_);
  [[nodiscard]] bool takes_intake(const Submission& submission) const noexcept;
  void prepare(SchedOp& op);
  void submit_to_intake(const std::shared_ptr<SchedOp>& op);
  void drain_intake() NEAT_REQUIRES(mutex_);
  std::vector<std::shared_ptr<SchedOp>> predecessors_of(const std::shared_ptr<SchedOp>& op,
                                                        const Submission& submission)
      NEAT_REQUIRES(mutex_);
  void link(const std::shared_ptr<SchedOp>& op, const Submission& submission,
            Clock::time_point now) NEAT_REQUIRES(mutex_);
  /// `post_token`: false for an intake operation, whose submitter posts its own dispatch job
  /// after pushing it (submit_to_intake), so draining the intake never posts a second one.
  void make_ready(SchedOp& op, Clock::time_point now, bool post_token = true)
      NEAT_REQUIRES(mutex_);
  void raise(SchedOp& first, ExecutionPriority level, double dependent_rank) NEAT_REQUIRES(mutex_);
  void finish(SchedOp& op, OpStatus status, std::exception_ptr error, const std::string& reason)
      NEAT_REQUIRES(mutex_);
  void expire_deadlines(Clock::time_point now) NEAT_REQUIRES(mutex_);
  void request_preemption(ExecutionPriority level) NEAT_REQUIRES(mutex_);
  void park(SchedOp& op) NEAT_REQUIRES(mutex_);
  void watch(Clock::time_point now) NEAT_REQUIRES(mutex_);
  void stop_running(SchedOp& op) NEAT_REQUIRES(mutex_);
  std::shared_ptr<SchedOp> start_next(Worker& worker, ExecutionPriority token_level);
  void post_successor() NEAT_REQUIRES(mutex_);
  void ensure_token(ExecutionPriority level);

  // [sched.memory] scheduler_memory.cpp
  enum class MemoryPool : std::uint8_t { none, component, global };  // what a deferral blocks
  struct Deferred {
    SchedOp* op;
    MemoryPool pool;
  };
  [[nodiscard]] bool needs_admission(const SchedOp& op) const noexcept;
  [[nodiscard]] bool blocked_by(const SchedOp& op, const Deferred& waiting) const noexcept;
  bool admit(SchedOp& op) NEAT_REQUIRES(mutex_);
  void defer(SchedOp& op, MemoryPool pool, std::string why) NEAT_REQUIRES(mutex_);
  void forget_deferred(SchedOp& op) NEAT_REQUIRES(mutex_);
  void readmit_deferred() NEAT_REQUIRES(mutex_);
  void recheck_memory_after_deferral() NEAT_REQUIRES(mutex_);
  void memory_changed();
  void subscribe_memory();
  void unsubscribe_memory();
  void count_down(std::atomic<std::size_t>& count) noexcept;
  void record_profile(const SchedOp& op) const noexcept;
  void emit(SchedOp& op, OpStatus status, std::size_t worker) const;

  ExecutorCore& core_;
  const SchedulerOptions options_;

  mutable Mutex mutex_;
  ReadyQueue ready_ NEAT_GUARDED_BY(mutex_);
  std::unordered_map<std::uint64_t, std::shared_ptr<SchedOp>> live_ NEAT_GUARDED_BY(mutex_);
  std::vector<DataState> data_ NEAT_GUARDED_BY(mutex_);
  std::multimap<Clock::time_point, std::uint64_t> deadlines_ NEAT_GUARDED_BY(mutex_);
  SchedulerStats stats_ NEAT_GUARDED_BY(mutex_);
  std::vector<SchedOp*> running_ NEAT_GUARDED_BY(mutex_);
  std::mt19937_64 shuffle_ NEAT_GUARDED_BY(mutex_);
  std::vector<Deferred> deferred_ NEAT_GUARDED_BY(mutex_);  // waiting for memory
  std::atomic<std::size_t> deferred_count_{0};  // deferred_.size(), for the listeners
  std::atomic<bool> memory_changed_{false};     // a release or pressure change since last look
  std::uint64_t release_listener_ = 0;
  std::uint64_t pressure_listener_ = 0;

  alignas(64) std::atomic<std::uint64_t> next_seq_{1};
  // [sched.intake] Submissions without dependencies, data or deadline: a lock-free stack,
  // moved into the ready queue (in submission order) by whoever next holds the mutex.
  alignas(64) std::atomic<SchedOp*> intake_{nullptr};
  // Running coroutine operations: a submission that sees one takes the lock, so that a more
  // urgent arrival can ask one of them to yield at once.
  alignas(64) std::atomic<std::size_t> running_preemptible_{0};
  // [sched.dispatch] Dispatch jobs posted but not started, per level. A new one is posted only
  // while fewer than `workers` wait at the same or a more urgent level.
  alignas(64) std::array<std::atomic<std::size_t>, k_priority_levels> waiting_tokens_{};

  // Unfinished operations and dispatch jobs not yet finished: the destructor waits for both.
  alignas(64) std::atomic<std::size_t> unfinished_{0};
  std::atomic<std::size_t> tokens_{0};
  std::mutex idle_mutex_;
  std::condition_variable idle_cv_;
};

}  // namespace neat::detail
