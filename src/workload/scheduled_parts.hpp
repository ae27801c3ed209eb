// Internal parts of run_scheduled(): the submission order (scheduled_plan.cpp), the operations
// with their kernels and timings (scheduled_ops.cpp) and the pipelines (scheduled_pipelines.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "neat/detail/thread_annotations.hpp"
#include "neat/sched/execution_pipeline.hpp"
#include "neat/workload/scheduled_run.hpp"

namespace neat::detail {

/// Indices of workload.operations in the order run_scheduled() submits them: by arrival, then a
/// topological order of `after` that keeps file order where it can. Throws CycleError for a
/// cycle, neat::Error for an `after` that does not resolve or names a later arrival.
[[nodiscard]] std::vector<std::size_t> submission_order(const Workload& workload);

/// Microseconds from `since` to `time`.
[[nodiscard]] double micros_since(Clock::time_point since, Clock::time_point time);
/// `ms` milliseconds (a workload's arrive_ms or deadline_ms) as a clock duration.
[[nodiscard]] Clock::duration from_ms(double ms);

/// What an operation's body records while it runs: written by the workers running it, read
/// after the scheduler reported it terminal (which orders the accesses).
struct OpTimes {
  std::optional<Clock::time_point> start;
  std::optional<Clock::time_point> finish;
  std::uint64_t pauses = 0;
};

/// One operation, ready to submit: its kernel is bound (buffers allocated).
class ScheduledOp {
 public:
  explicit ScheduledOp(const OperationSpec& spec);
  /// Submit through `scheduler` now; `after` are the handles of spec.after, in order.
  void submit(ExecutionScheduler& scheduler, std::vector<OpRef> after,
              std::vector<std::pair<DataHandle, AccessMode>> accesses);
  [[nodiscard]] const OpRef& handle() const noexcept { return handle_; }
  /// After the scheduler reported it terminal.
  [[nodiscard]] ScheduledOperation report(Clock::time_point run_start) const;

 private:
  const OperationSpec& spec_;
  BoundKernel kernel_;
  OpTimes times_;
  Clock::time_point submitted_{};
  OpRef handle_;
};

/// A stage's kernel, callable from several workers at once: a gemm owns its matrices, so each
/// concurrent call takes one from a pool (binding another only when all are in use).
class StageKernel {
 public:
  explicit StageKernel(KernelSpec spec);
  void run();

 private:
  KernelSpec spec_;
  BoundKernel shared_;  // spin, sleep, fail: stateless, shared by every call
  Mutex mutex_;
  std::vector<BoundKernel> free_ NEAT_GUARDED_BY(mutex_);
};

/// One pipeline of the workload: its kernels bound up front, then one run.
class ScheduledPipelineRun {
 public:
  explicit ScheduledPipelineRun(const PipelineSpec& spec);
  ScheduledPipelineRun(const ScheduledPipelineRun&) = delete;
  ScheduledPipelineRun& operator=(const ScheduledPipelineRun&) = delete;
  /// Cancels and waits for a run still in progress (an exception unwinding run_scheduled()).
  ~ScheduledPipelineRun();

  /// Start the stream now on `executor`. Non-blocking.
  void start(ParallelExecutor& executor);
  /// Wait for the run (blocking) and say what became of it.
  [[nodiscard]] ScheduledPipeline finish(Clock::time_point run_start);

 private:
  const PipelineSpec& spec_;
  std::vector<std::unique_ptr<StageKernel>> kernels_;
  std::atomic<Clock::rep> last_item_{0};  // time_since_epoch of the latest item through
  Clock::time_point started_{};
  PipelineRun run_;
};

}  // namespace neat::detail
