// One operation of a scheduled run: its submission, its body (plain, or a coroutine with
// checkpoints) and what it recorded. [workload.scheduled]
#include <algorithm>
#include <chrono>

#include "neat/sched/task.hpp"
#include "scheduled_parts.hpp"

namespace neat::detail {
namespace {

// ctx.checkpoint(), counting the times it really suspends: await_ready() false means the
// coroutine suspends and the scheduler parks it.
class CountedCheckpoint {
 public:
  CountedCheckpoint(const OpContext& ctx, std::uint64_t& pauses) noexcept
      : inner_(ctx.checkpoint()), pauses_(pauses) {}
  [[nodiscard]] bool await_ready() const noexcept {
    const bool ready = inner_.await_ready();
    if (!ready) ++pauses_;
    return ready;
  }
  void await_suspend(std::coroutine_handle<> coroutine) const noexcept {
    inner_.await_suspend(coroutine);
  }
  void await_resume() const noexcept { inner_.await_resume(); }

 private:
  CheckpointAwaiter inner_;
  std::uint64_t& pauses_;
};

// The kernel in slices of checkpoint_us with a checkpoint between them; a stop request (its
// deadline passed) ends it early. `spec` by value: the coroutine outlives the caller's frame.
Task<void> run_with_checkpoints(KernelSpec spec, OpContext& ctx, OpTimes& times) {
  times.start = Clock::now();
  double left = spec.us;
  while (left > 0.0 && !ctx.stop_requested()) {
    const double slice = std::min(left, spec.checkpoint_us);
    kernels::run_slice(spec, slice);
    left -= slice;
    if (left > 0.0) co_await CountedCheckpoint(ctx, times.pauses);
  }
  times.finish = Clock::now();
}

}  // namespace

ScheduledOp::ScheduledOp(const OperationSpec& spec)
    : spec_(spec), kernel_(kernels::bind(spec.kernel)) {}

void ScheduledOp::submit(ExecutionScheduler& scheduler, std::vector<OpRef> after,
                         std::vector<std::pair<DataHandle, AccessMode>> accesses) {
  Submission submission{
      .descriptor = {.name = spec_.name,
                     .component = spec_.component,
                     .priority = spec_.priority,
                     .cost_hint_us = spec_.cost_hint_us.value_or(kernel_.estimated_us),
                     .memory_bytes = spec_.memory_bytes,
                     .device = spec_.device},
      .after = std::move(after),
      .accesses = std::move(accesses),
  };
  submitted_ = Clock::now();
  if (spec_.deadline_ms) {
    submission.deadline = submitted_ + from_ms(*spec_.deadline_ms);
  }
  if (spec_.kernel.checkpoint_us > 0.0) {
    handle_ = scheduler.submit(std::move(submission),
                               [spec = spec_.kernel, times = &times_](OpContext& ctx) {
                                 return run_with_checkpoints(spec, ctx, *times);
                               });
  } else {
    handle_ = scheduler.submit(std::move(submission), [run = kernel_.run, times = &times_] {
      times->start = Clock::now();
      run();
      times->finish = Clock::now();
    });
  }
}

ScheduledOperation ScheduledOp::report(Clock::time_point run_start) const {
  ScheduledOperation out{
      .name = spec_.name,
      .component = spec_.component,
      .priority = spec_.priority,
      .effective_priority = handle_.effective_priority(),
      .status = handle_.status(),
      .reason = handle_.reason(),
      .preemptible = spec_.kernel.checkpoint_us > 0.0,
      .submitted_us = micros_since(run_start, submitted_),
      .pauses = times_.pauses,
  };
  if (times_.start) out.start_latency_us = micros_since(submitted_, *times_.start);
  if (times_.finish) out.finished_us = micros_since(run_start, *times_.finish);
  return out;
}

}  // namespace neat::detail
