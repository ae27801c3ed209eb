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

// A dispatch job runs whichever ready operation is most urgent when a worker gets to it, so
// jobs are interchangeable and the scheduler's queue alone decides the order. [sched.dispatch]
class DispatchJob final : public Job {
 public:
  DispatchJob(SchedulerImpl& scheduler, ExecutionPriority level) noexcept
      : Job(level), scheduler_(scheduler) {}
  void execute(Worker& worker) override {
    SchedulerImpl& scheduler = scheduler_;
    delete this;
    scheduler.dispatch(worker);
    scheduler.token_finished();
  }

 private:
  SchedulerImpl& scheduler_;
};

// The cost for ranks: the caller's hint, else the profiler's estimate, else 1 µs.
double cost_of(const SchedOp& op) {
  if (op.descriptor().cost_hint_us > 0.0) return op.descriptor().cost_hint_us;
  return op.estimate_us > 0.0 ? op.estimate_us : 1.0;
}

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
      shuffle_(options.shuffle_seed) {}

SchedulerImpl::~SchedulerImpl() {
  std::unique_lock<std::mutex> lock(idle_mutex_);
  idle_cv_.wait(lock, [this] { return unfinished_ == 0 && tokens_ == 0; });
}

DataHandle SchedulerImpl::data(std::string_view name) {
  LockGuard lock(mutex_);
  data_.push_back(DataState{std::string(name), nullptr, {}});
  return DataHandle{static_cast<std::uint32_t>(data_.size() - 1)};
}

// `op` holds the descriptor: submit() moved it out of the submission.
void SchedulerImpl::validate(const SchedOp& op, const Submission& submission) const {
  const std::string& name = op.descriptor().name;
  for (std::size_t i = 0; i < submission.after.size(); ++i) {
    const OpRef& ref = submission.after[i];
    if (!ref.valid()) {
      throw Error(fmt::format("ExecutionScheduler::submit('{}'): after[{}] is an empty handle",
                              name, i));
    }
  }
  for (std::size_t i = 0; i < submission.accesses.size(); ++i) {
    if (submission.accesses[i].first.index >= data_.size()) {
      throw Error(fmt::format(
          "ExecutionScheduler::submit('{}'): accesses[{}] names unknown data handle {} ({} exist)",
          name, i, submission.accesses[i].first.index, data_.size()));
    }
  }
  if (op.descriptor().cost_hint_us < 0.0) {
    throw Error(fmt::format("ExecutionScheduler::submit('{}'): cost_hint_us must not be negative",
                            name));
  }
}

// Explicit predecessors, then the RAW/WAR/WAW edges of each access in submission order.
// Finished predecessors stay in the list: a failed one cancels the new operation.
std::vector<std::shared_ptr<SchedOp>> SchedulerImpl::predecessors_of(
    const std::shared_ptr<SchedOp>& op, const Submission& submission) {
  std::vector<std::shared_ptr<SchedOp>> preds;
  for (const OpRef& ref : submission.after) preds.push_back(ref.op_);
  for (const auto& [handle, mode] : submission.accesses) {
    DataState& d = data_[handle.index];
    const bool writes = mode != AccessMode::read;
    if (!writes) {
      if (d.last_writer) preds.push_back(d.last_writer);
      d.readers.push_back(op);
      continue;
    }
    if (d.readers.empty() || mode == AccessMode::read_write) {
      if (d.last_writer) preds.push_back(d.last_writer);
    }
    preds.insert(preds.end(), d.readers.begin(), d.readers.end());
    d.readers.clear();
    d.last_writer = op;
  }
  std::sort(preds.begin(), preds.end());
  preds.erase(std::unique(preds.begin(), preds.end()), preds.end());
  std::erase(preds, op);
  return preds;
}

// Everything that can refuse the submission runs first; nothing changes until it passed.
void SchedulerImpl::enqueue(const std::shared_ptr<SchedOp>& op, const Submission& submission) {
  for (const OpRef& ref : submission.after) {
    if (ref.valid() && ref.op_->scheduler != this) {
      throw Error(fmt::format("ExecutionScheduler::submit('{}'): a dependency belongs to another "
                              "scheduler", op->descriptor().name));
    }
  }
  op->kind = submission.kind;
  op->footprint = submission.footprint;
  if (options_.profiler != nullptr && !op->kind.empty()) {
    // Also validates the footprint (neat::Error).
    op->estimate_us = options_.profiler->predict_us(op->kind, op->footprint).value_or(0.0);
  }
  LockGuard lock(mutex_);
  validate(*op, submission);
  {
    std::lock_guard<std::mutex> idle(idle_mutex_);
    ++unfinished_;
  }
  const Clock::time_point now = Clock::now();
  op->scheduler = this;
  op->seq = next_seq_++;
  op->tie_break = options_.shuffle_equal_priorities ? shuffle_() : op->seq;
  op->effective = op->descriptor().priority;
  op->rank = cost_of(*op);
  op->yield_requested.store(options_.yield_at_every_checkpoint && op->preemptible,
                            std::memory_order_relaxed);
  live_.emplace(op->seq, op);
  ++stats_.submitted;
  emit(*op, OpStatus::pending, k_not_a_worker);
  if (submission.deadline) deadlines_.emplace(*submission.deadline, op->seq);
  link(op, submission, now);
  expire_deadlines(now);
  watch(now);
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
      if (poisoned.empty()) poisoned = cascade_reason(*pred, s, pred->error());
      continue;
    }
    pred->dependents.push_back(op);
    op->predecessors.push_back(pred);
    ++op->unfinished_dependencies;
    raise(*pred, op->effective, op->rank);
  }
  if (!poisoned.empty()) {
    finish(*op, OpStatus::cancelled, nullptr, poisoned);
  } else if (op->unfinished_dependencies == 0) {
    make_ready(*op, now);
  }
}

void SchedulerImpl::make_ready(SchedOp& op, Clock::time_point now) {
  op.status_.store(OpStatus::ready, std::memory_order_release);
  ready_.push(op, now);
  emit(op, OpStatus::ready, k_not_a_worker);
  post_token(op.effective);
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
  std::erase(running_, &op);
}

// A coroutine parked at a checkpoint: queue it again (its age restarts).
void SchedulerImpl::park(SchedOp& op) {
  stop_running(op);
  op.yield_requested.store(options_.yield_at_every_checkpoint, std::memory_order_relaxed);
  op.status_.store(OpStatus::paused, std::memory_order_release);
  ++stats_.parked;
  ready_.push(op, Clock::now());
  post_token(op.effective);
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
    if (s != OpStatus::pending && s != OpStatus::ready && s != OpStatus::paused) continue;
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
        post_token(op.effective);
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
    ready_.remove(op);
    stop_running(op);
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
    const std::string& inherited_reason = p.status == OpStatus::cancelled && &op != &root
                                              ? p.reason : cascade;
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
    std::lock_guard<std::mutex> idle(idle_mutex_);
    if (--unfinished_ == 0) idle_cv_.notify_all();
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

void SchedulerImpl::cancel(SchedOp& op) {
  LockGuard lock(mutex_);
  const OpStatus s = op.status();
  if (is_terminal(s)) return;
  op.stop_.request_stop();
  if (s != OpStatus::running) finish(op, OpStatus::cancelled, nullptr, "cancelled by caller");
}

ExecutionPriority SchedulerImpl::effective_priority(const SchedOp& op) const {
  LockGuard lock(mutex_);
  return op.effective;
}

void SchedulerImpl::post_token(ExecutionPriority level) {
  {
    std::lock_guard<std::mutex> idle(idle_mutex_);
    ++tokens_;
  }
  core_.post(*new DispatchJob(*this, level));
}

void SchedulerImpl::token_finished() noexcept {
  std::lock_guard<std::mutex> idle(idle_mutex_);
  if (--tokens_ == 0 && unfinished_ == 0) idle_cv_.notify_all();
}

void SchedulerImpl::dispatch(Worker& worker) {
  std::shared_ptr<SchedOp> op;
  {
    LockGuard lock(mutex_);
    const Clock::time_point now = Clock::now();
    expire_deadlines(now);
    bool promoted = false;
    SchedOp* next = ready_.pop(now, promoted);
    if (next == nullptr) return;  // an extra token (raised priority, cancelled operation)
    if (promoted) ++stats_.promoted;
    op = live_[next->seq];
    op->status_.store(OpStatus::running, std::memory_order_release);
    running_.push_back(op.get());
    op->running_since = now;
    op->reported_long = false;
    watch(now);
    // Under the lock: observers see start events in exactly the order of dispatch.
    emit(*op, OpStatus::running, worker.index());
  }
  std::exception_ptr error;
  const Clock::time_point segment_start = Clock::now();
  try {
    const bool finished = op->run(worker);
    op->run_time += Clock::now() - segment_start;
    if (!finished) {
      emit(*op, OpStatus::paused, worker.index());
      LockGuard lock(mutex_);
      park(*op);
      return;
    }
  } catch (...) {
    error = std::current_exception();
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
  LockGuard lock(mutex_);
  finish(*op, outcome, error, reason);
}

// The profiler is thread-safe; the footprint was validated at submission, so record() cannot
// refuse it, but a profiler error must not turn a completed operation into a failed one.
void SchedulerImpl::record_profile(const SchedOp& op) const noexcept {
  if (options_.profiler == nullptr || op.kind.empty()) return;
  try {
    options_.profiler->record(op.kind, op.footprint,
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

SchedulerStats SchedulerImpl::stats() const {
  LockGuard lock(mutex_);
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
