// ExecutionScheduler dispatch: the jobs that carry ready operations onto the executor's
// workers, running them, and waiting for them. [sched.dispatch]
#include <thread>

#include "core/task_group.hpp"
#include "core/worker.hpp"
#include "neat/common/error.hpp"
#include "neat/sched/performance_profiler.hpp"
#include "sched/scheduler_impl.hpp"

namespace neat::detail {
namespace {

// A dispatch job runs whichever ready operation is most urgent when a worker gets to it, so
// jobs are interchangeable and the scheduler's queue alone decides the order. [sched.dispatch]
class DispatchJob final : public Job {
 public:
  DispatchJob(SchedulerImpl& scheduler, ExecutionPriority level) noexcept
      : Job(level), scheduler_(scheduler) {}
  void execute(Worker& worker) override {
    SchedulerImpl& scheduler = scheduler_;
    const ExecutionPriority level = priority_;
    scheduler.token_started(level);
    delete this;
    scheduler.dispatch(worker, level);
    scheduler.token_finished();
  }

 private:
  SchedulerImpl& scheduler_;
};


}  // namespace

// Dispatch jobs are interchangeable (each runs whatever is most urgent when it starts), so a
// few suffice: one is posted while fewer than `workers` wait at the same or a more urgent level,
// and each one that ran an operation posts a successor while ready work remains. Counting a
// job as waiting until it starts, and re-checking the intake after the count drops, means a
// ready operation always has a job coming.
void SchedulerImpl::ensure_token(ExecutionPriority level) {
  const auto l = static_cast<std::size_t>(level);
  std::size_t waiting = 0;
  for (std::size_t i = 0; i <= l; ++i) waiting += waiting_tokens_[i].load(std::memory_order_seq_cst);
  if (waiting >= core_.worker_count()) return;
  waiting_tokens_[l].fetch_add(1, std::memory_order_seq_cst);
  tokens_.fetch_add(1, std::memory_order_relaxed);
  core_.post(*new DispatchJob(*this, level));
}

void SchedulerImpl::token_started(ExecutionPriority level) noexcept {
  waiting_tokens_[static_cast<std::size_t>(level)].fetch_sub(1, std::memory_order_seq_cst);
}

void SchedulerImpl::token_finished() noexcept {
  count_down(tokens_);
}

// Under idle_mutex_: the destructor waits on it for both counts to reach zero, so once it sees
// zero no thread is still about to touch the condition variable.
void SchedulerImpl::count_down(std::atomic<std::size_t>& count) noexcept {
  std::lock_guard<std::mutex> idle(idle_mutex_);
  if (count.fetch_sub(1, std::memory_order_acq_rel) == 1) idle_cv_.notify_all();
}

void SchedulerImpl::dispatch(Worker& worker, ExecutionPriority token_level) {
  std::shared_ptr<SchedOp> op = start_next(worker, token_level);
  if (!op) return;  // another job took it, or it was cancelled
  std::exception_ptr error;
  const Clock::time_point segment_start = Clock::now();
  bool finished = true;
  try {
    finished = op->run(worker);
  } catch (...) {
    error = std::current_exception();
  }
  op->run_time += Clock::now() - segment_start;
  if (!finished) {
    emit(*op, OpStatus::paused, worker.index());
    LockGuard lock(mutex_);
    park(*op);
    post_successor();
    return;
  }
  OpStatus outcome = OpStatus::completed;
  std::string reason;
  if (error) {
    outcome = OpStatus::failed;
    reason = "threw: " + describe(error);
  } else if (op->deadline() && Clock::now() > *op->deadline()) {
    outcome = OpStatus::timed_out;
    reason = "deadline passed while it ran";
  }
  emit(*op, outcome, worker.index());
  if (outcome == OpStatus::completed) record_profile(*op);
  // Outside the scheduler's lock: the release runs the manager's listeners on this thread.
  if (op->extras) op->extras->memory.release();
  LockGuard lock(mutex_);
  finish(*op, outcome, error, reason);
  post_successor();
}

// Take the most urgent ready operation and mark it running on `worker`.
// A job runs an operation only at the job's level or a more urgent one. Jobs are interchangeable,
// so one posted at `critical` may find only `low` work left; that work is handed to a job of its
// own level instead, so that the executor's more urgent work (other runs, posted jobs) goes first.
std::shared_ptr<SchedOp> SchedulerImpl::start_next(Worker& worker, ExecutionPriority token_level) {
  LockGuard lock(mutex_);
  drain_intake();
  readmit_deferred();
  const Clock::time_point now = Clock::now();
  expire_deadlines(now);
  bool promoted = false;
  SchedOp* next = nullptr;
  while (SchedOp* best = ready_.peek(now)) {
    const ExecutionPriority level = ready_.aged_level(*best, now);
    if (level > token_level) {
      ensure_token(level);
      break;
    }
    promoted = level != best->queued_level;
    ready_.remove(*best);  // what peek() found: no second search
    next = best;
    if (admit(*next)) break;
    next = nullptr;
  }
  recheck_memory_after_deferral();
  if (next == nullptr) return nullptr;
  if (promoted) ++stats_.promoted;
  std::shared_ptr<SchedOp> op = live_[next->seq];
  if (!op->stop_.stop_possible()) op->stop_ = std::stop_source();
  op->status_.store(OpStatus::running, std::memory_order_release);
  running_.push_back(op.get());
  op->running_since = now;
  op->reported_long = false;
  // Under the lock: observers see start events in exactly the order of dispatch.
  emit(*op, OpStatus::running, worker.index());
  if (op->preemptible) {
    // Pairs with submit_to_intake(): a submission this misses saw the count and took the lock.
    running_preemptible_.fetch_add(1, std::memory_order_seq_cst);
    drain_intake();
  }
  watch(now);
  return op;
}

void SchedulerImpl::post_successor() {
  drain_intake();
  if (ready_.size() > 0) ensure_token(ready_.top_level());
  recheck_memory_after_deferral();
}

// The profiler is thread-safe; the footprint was validated at submission, so record() cannot
// refuse it, but a profiler error must not turn a completed operation into a failed one.
void SchedulerImpl::record_profile(const SchedOp& op) const noexcept {
  if (options_.profiler == nullptr || !op.extras || op.extras->kind.empty()) return;
  try {
    options_.profiler->record(op.extras->kind, op.extras->footprint,
                              std::chrono::duration_cast<Microseconds>(op.run_time));
  } catch (...) {  // NOLINT(bugprone-empty-catch): see above
  }
}

bool SchedulerImpl::wait(SchedOp& op, std::optional<Clock::time_point> until) {
  if (Worker* worker = core_.current_worker()) {
    auto done = [&op] { return op.done(); };
    return until ? worker->help_until(done, *until) : (worker->help_until(done), true);
  }
  // Wake at the operation's deadline (if still ahead) to expire it when nothing else does, and
  // every half threshold to drive the watchdog; otherwise just wait.
  while (!op.done()) {
    const Clock::time_point now = Clock::now();
    std::optional<Clock::time_point> wake = until;
    if (op.deadline() && *op.deadline() > now && (!wake || *op.deadline() < *wake)) {
      wake = *op.deadline();
    }
    if (options_.watchdog_threshold.count() > 0) {
      const Clock::time_point tick = now + options_.watchdog_threshold / 2;
      if (!wake || tick < *wake) wake = tick;
    }
    if (!wake) {
      op.wait_done();
      break;
    }
    if (op.wait_done_until(*wake + std::chrono::microseconds(100))) break;
    {
      LockGuard lock(mutex_);
      expire_deadlines(Clock::now());
      watch(Clock::now());
    }
    if (until && Clock::now() >= *until) return op.done();
  }
  return true;
}

void SchedulerImpl::wait_idle() {
  if (core_.current_worker() != nullptr) {
    throw Error("ExecutionScheduler::wait_idle: must not be called from a worker");
  }
  std::unique_lock<std::mutex> lock(idle_mutex_);
  idle_cv_.wait(lock, [this] { return unfinished_ == 0; });
}

}  // namespace neat::detail
