#include "sched/scheduler_impl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "core/task_group.hpp"
#include "core/worker.hpp"
#include "neat/common/error.hpp"
#include "neat/sched/performance_profiler.hpp"

namespace neat::detail {
namespace {

std::string cascade_reason(const SchedOp& root, OpStatus status, const std::exception_ptr& error) {
  switch (status) {
    case OpStatus::failed:
      return fmt::format("dependency '{}' failed: {}", root.name(), describe(error));
    case OpStatus::timed_out:
      return fmt::format("dependency '{}' timed out", root.name());
    default:
      return fmt::format("dependency '{}' was cancelled", root.name());
  }
}

}  // namespace

SchedulerImpl::SchedulerImpl(ParallelExecutor& executor, const SchedulerOptions& options)
    : core_(core_of(executor)),
      options_(options),
      ready_(options.aging_quantum, options.aging_limit),
      shuffle_(options.shuffle_seed) {
  subscribe_memory();
  core_.add_listener(*this);
}

SchedulerImpl::~SchedulerImpl() {
  std::unique_lock<std::mutex> lock(idle_mutex_);
  idle_cv_.wait(lock, [this] { return unfinished_.load() == 0 && tokens_.load() == 0; });
  lock.unlock();
  core_.remove_listener(*this);
  // A listener call in progress may still post a dispatch job (it finds nothing to do).
  unsubscribe_memory();
  lock.lock();
  idle_cv_.wait(lock, [this] { return tokens_.load() == 0; });
}

DataHandle SchedulerImpl::data(std::string_view name) {
  LockGuard lock(mutex_);
  data_.push_back(DataState{std::string(name), nullptr, {}});
  return DataHandle{static_cast<std::uint32_t>(data_.size() - 1)};
}

// Wire `op` to its unfinished predecessors (raising them by inheritance); then it is ready,
// or waiting, or cancelled at once when a predecessor already failed.
void SchedulerImpl::link(const std::shared_ptr<SchedOp>& op, const Submission& submission,
                         Clock::time_point now) {
  std::string poisoned;
  for (const std::shared_ptr<SchedOp>& pred : predecessors_of(op, submission)) {
    const OpStatus s = pred->status();
    if (s == OpStatus::completed) continue;
    if (is_terminal(s)) {
      if (poisoned.empty()) {
        // A predecessor cancelled by a cascade passes on its root cause.
        poisoned = pred->cascaded ? pred->reason() : cascade_reason(*pred, s, pred->error());
      }
      continue;
    }
    pred->dependents.push_back(op);
    op->predecessors.push_back(pred);
    ++op->unfinished_dependencies;
    raise(*pred, op->effective, op->rank);
  }
  if (!poisoned.empty()) {
    op->cascaded = true;
    finish(*op, OpStatus::cancelled, nullptr, poisoned);
  } else if (op->unfinished_dependencies == 0) {
    make_ready(*op, now);
  }
}

void SchedulerImpl::make_ready(SchedOp& op, Clock::time_point now, bool post_token) {
  op.status_.store(OpStatus::ready, std::memory_order_release);
  ready_.push(op, now);
  emit(op, OpStatus::ready, k_not_a_worker);
  if (post_token) ensure_token(op.effective);
  request_preemption(op.effective);
}

// [sched.preempt] A more urgent operation is ready. If every worker runs a scheduler
// operation, ask the least urgent running coroutine that is less urgent than it to yield.
// One request per arrival: several arrivals ask several operations.
void SchedulerImpl::request_preemption(ExecutionPriority level) {
  if (running_.size() < core_.worker_count()) return;  // a worker is free for it
  SchedOp* victim = nullptr;
  for (SchedOp* op : running_) {
    if (!op->preemptible || op->effective <= level ||
        op->yield_requested.load(std::memory_order_relaxed)) {
      continue;
    }
    if (victim == nullptr || op->effective > victim->effective ||
        (op->effective == victim->effective && op->seq > victim->seq)) {
      victim = op;
    }
  }
  if (victim != nullptr) {
    victim->yield_requested.store(true, std::memory_order_relaxed);
    ++stats_.preemptions;
  }
}

// [sched.watchdog] Report, once per running segment, each operation running longer than the
// threshold. Called from submissions, dispatches and waiting threads: no thread of its own.
void SchedulerImpl::watch(Clock::time_point now) {
  if (options_.watchdog_threshold.count() <= 0) return;
  for (SchedOp* op : running_) {
    if (op->reported_long || now - op->running_since <= options_.watchdog_threshold) continue;
    op->reported_long = true;
    ++stats_.long_running;
    if (Observer* observer = core_.observer()) {
      observer->on_long_running(
          OperationEvent{.run_id = 0,
                         .operation = static_cast<std::uint32_t>(op->seq),
                         .name = op->descriptor().name,
                         .component = op->descriptor().component,
                         .priority = op->effective,
                         .status = OpStatus::running,
                         .worker = k_not_a_worker,
                         .time = now},
          now - op->running_since);
    }
  }
}

void SchedulerImpl::check_watchdog() {
  LockGuard lock(mutex_);
  watch(Clock::now());
}

void SchedulerImpl::stop_running(SchedOp& op) {
  const auto it = std::find(running_.begin(), running_.end(), &op);
  if (it == running_.end()) return;
  running_.erase(it);
  if (op.preemptible) running_preemptible_.fetch_sub(1, std::memory_order_relaxed);
}

// A coroutine parked at a checkpoint: queue it again (its age restarts).
void SchedulerImpl::park(SchedOp& op) {
  stop_running(op);
  op.yield_requested.store(options_.yield_at_every_checkpoint, std::memory_order_relaxed);
  op.status_.store(OpStatus::paused, std::memory_order_release);
  ++stats_.parked;
  ready_.push(op, Clock::now());
  ensure_token(op.effective);
}

// [sched.inherit] Walk up from the operations a new dependent waits for, raising each one's
// effective level and rank; stop where nothing changes. Never lowers anything.
void SchedulerImpl::raise(SchedOp& first, ExecutionPriority level, double dependent_rank) {
  struct Step {
    SchedOp* op;
    ExecutionPriority level;
    double rank;
  };
  std::vector<Step> work{{&first, level, cost_of(first) + dependent_rank}};
  while (!work.empty()) {
    const Step step = work.back();
    work.pop_back();
    SchedOp& op = *step.op;
    const OpStatus s = op.status();
    if (s != OpStatus::pending && s != OpStatus::ready && s != OpStatus::paused &&
        s != OpStatus::deferred) {
      continue;
    }
    const bool more_urgent = step.level < op.effective;
    const bool longer = step.rank > op.rank;
    if (!more_urgent && !longer) continue;
    if (more_urgent) {
      op.effective = step.level;
      ++stats_.inherited;
    }
    op.rank = std::max(op.rank, step.rank);
    if (op.queued) {
      ready_.update(op);
      if (more_urgent) {
        ensure_token(op.effective);
        request_preemption(op.effective);
      }
    }
    for (const std::shared_ptr<SchedOp>& pred : op.predecessors) {
      work.push_back(Step{pred.get(), op.effective, cost_of(*pred) + op.rank});
    }
  }
}

// Terminal state for `op`; releases or cancels its dependents (iteratively, with the root
// cause as reason), and publishes to the waiters.
void SchedulerImpl::finish(SchedOp& root, OpStatus status, std::exception_ptr error,
                           const std::string& reason) {
  struct Pending {
    SchedOp* op;
    OpStatus status;
    std::exception_ptr error;
    std::string reason;
  };
  std::vector<Pending> work{{&root, status, std::move(error), reason}};
  const Clock::time_point now = Clock::now();
  while (!work.empty()) {
    Pending p = std::move(work.back());
    work.pop_back();
    SchedOp& op = *p.op;
    if (op.done()) continue;
    // One that never ran (or is parked) gets its end event here; a running one got it from
    // its dispatcher.
    if (op.status() != OpStatus::running) emit(op, p.status, k_not_a_worker);
    ready_.remove(op);
    if (op.status() == OpStatus::deferred) forget_deferred(op);
    stop_running(op);
    // Under the lock is safe: the scheduler's release listener only sets a flag.
    if (op.extras) op.extras->memory.release();
    std::shared_ptr<SchedOp> keep = live_[op.seq];
    live_.erase(op.seq);
    switch (p.status) {
      case OpStatus::completed: ++stats_.completed; break;
      case OpStatus::failed: ++stats_.failed; break;
      case OpStatus::timed_out: ++stats_.timed_out; break;
      default: ++stats_.cancelled; break;
    }
    const std::string cascade =
        p.status == OpStatus::completed ? std::string() : cascade_reason(op, p.status, p.error);
    if (p.status == OpStatus::cancelled && &op != &root) op.cascaded = true;
    const std::string& inherited_reason = op.cascaded ? p.reason : cascade;
    for (const std::shared_ptr<SchedOp>& d : op.dependents) {
      if (d->done()) continue;
      if (p.status == OpStatus::completed) {
        if (--d->unfinished_dependencies == 0 && d->status() == OpStatus::pending) {
          make_ready(*d, now);
        }
      } else if (d->status() != OpStatus::running) {
        work.push_back(Pending{d.get(), OpStatus::cancelled, nullptr, inherited_reason});
      }
    }
    op.dependents.clear();
    op.predecessors.clear();
    op.publish(p.status, p.error, p.reason);
    count_down(unfinished_);
  }
}

void SchedulerImpl::expire_deadlines(Clock::time_point now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const std::uint64_t seq = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    const auto it = live_.find(seq);
    if (it == live_.end()) continue;
    SchedOp& op = *it->second;
    if (op.status() == OpStatus::running) {
      op.stop_.request_stop();  // it ends timed_out when it returns
    } else {
      finish(op, OpStatus::timed_out, nullptr, "deadline passed before it started");
    }
  }
}

void SchedulerImpl::on_urgent_work(ExecutionPriority level) {
  LockGuard lock(mutex_);
  request_preemption(level);
}

void SchedulerImpl::cancel(SchedOp& op) {
  LockGuard lock(mutex_);
  drain_intake();
  const OpStatus s = op.status();
  if (is_terminal(s)) return;
  op.stop_.request_stop();
  if (s != OpStatus::running) finish(op, OpStatus::cancelled, nullptr, "cancelled by caller");
}

ExecutionPriority SchedulerImpl::effective_priority(const SchedOp& op) const {
  LockGuard lock(mutex_);
  return op.effective;
}

SchedulerStats SchedulerImpl::stats() {
  LockGuard lock(mutex_);
  drain_intake();
  return stats_;
}

// Scheduler operations appear in traces as run 0, operation = submission number.
void SchedulerImpl::emit(SchedOp& op, OpStatus status, std::size_t worker) const {
  Observer* observer = core_.observer();
  if (observer == nullptr) return;
  const OperationEvent event{
      .run_id = 0,
      .operation = static_cast<std::uint32_t>(op.seq),
      .name = op.descriptor().name,
      .component = op.descriptor().component,
      .priority = op.effective,
      .status = status,
      .worker = worker,
      .time = Clock::now(),
  };
  if (status == OpStatus::ready) {
    observer->on_operation_ready(event);
  } else if (status == OpStatus::running) {
    observer->on_operation_start(event);
  } else if (is_terminal(status) || status == OpStatus::paused) {
    observer->on_operation_end(event);  // a paused segment ends; it starts again on resume
  }
}

}  // namespace neat::detail
