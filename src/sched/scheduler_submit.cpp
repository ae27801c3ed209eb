// ExecutionScheduler submissions: validation, linking into the dynamic graph, and the
// lock-free intake for submissions without dependencies. [sched.intake]
#include <fmt/format.h>

#include <algorithm>

#include "neat/common/error.hpp"
#include "neat/sched/performance_profiler.hpp"
#include "sched/scheduler_impl.hpp"

namespace neat::detail {

// `op` holds the descriptor: submit() moved it out of the submission. Checks that need no lock.
void SchedulerImpl::validate(const SchedOp& op, const Submission& submission) const {
  const std::string& name = op.descriptor().name;
  for (std::size_t i = 0; i < submission.after.size(); ++i) {
    const OpRef& ref = submission.after[i];
    if (!ref.valid()) {
      throw Error(fmt::format("ExecutionScheduler::submit('{}'): after[{}] is an empty handle",
                              name, i));
    }
    if (ref.op_->scheduler != this) {
      throw Error(fmt::format("ExecutionScheduler::submit('{}'): a dependency belongs to another "
                              "scheduler", name));
    }
  }
  if (op.descriptor().cost_hint_us < 0.0) {
    throw Error(fmt::format("ExecutionScheduler::submit('{}'): cost_hint_us must not be negative",
                            name));
  }
}

void SchedulerImpl::validate_accesses(const SchedOp& op, const Submission& submission) const {
  for (std::size_t i = 0; i < submission.accesses.size(); ++i) {
    if (submission.accesses[i].first.index >= data_.size()) {
      throw Error(fmt::format(
          "ExecutionScheduler::submit('{}'): accesses[{}] names unknown data handle {} ({} exist)",
          op.descriptor().name, i, submission.accesses[i].first.index, data_.size()));
    }
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
  validate(*op, submission);
  validate_memory(op->descriptor());
  if (options_.profiler != nullptr && !submission.kind.empty()) {
    // Also validates the footprint (neat::Error).
    const double estimate_us =
        options_.profiler->predict_us(submission.kind, submission.footprint).value_or(0.0);
    SchedOp::Extras& extras = op->ensure_extras();
    extras.kind = submission.kind;
    extras.footprint = submission.footprint;
    extras.estimate_us = estimate_us;
  }
  if (takes_intake(submission)) {
    submit_to_intake(op);
    return;
  }
  LockGuard lock(mutex_);
  drain_intake();  // earlier submissions first: they may be this one's dependencies
  validate_accesses(*op, submission);
  prepare(*op);
  op->tie_break = options_.shuffle_equal_priorities ? shuffle_() : op->seq;
  live_.emplace(op->seq, op);
  ++stats_.submitted;
  emit(*op, OpStatus::pending, k_not_a_worker);
  const Clock::time_point now = Clock::now();
  if (submission.deadline) deadlines_.emplace(*submission.deadline, op->seq);
  link(op, submission, now);
  expire_deadlines(now);
  watch(now);
}

// The fields every submission sets before it becomes visible to other threads.
void SchedulerImpl::prepare(SchedOp& op) {
  op.scheduler = this;
  op.seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  op.tie_break = op.seq;
  op.effective = op.descriptor().priority;
  op.rank = cost_of(op);
  op.yield_requested.store(options_.yield_at_every_checkpoint && op.preemptible,
                           std::memory_order_relaxed);
  unfinished_.fetch_add(1, std::memory_order_relaxed);
}

// [sched.intake] Nothing to link, no deadline to register, no debug shuffle, no watchdog to
// drive: the submission can skip the lock.
bool SchedulerImpl::takes_intake(const Submission& submission) const noexcept {
  return submission.after.empty() && submission.accesses.empty() && !submission.deadline &&
         !options_.shuffle_equal_priorities && options_.watchdog_threshold.count() <= 0;
}

// Push on the intake, then make sure a dispatch job will come for it. Both sides are seq_cst:
// either a dispatcher that just started a coroutine operation sees this submission in the
// intake, or this submission sees the running coroutine and takes the lock, so that
// make_ready() can ask it to yield.
void SchedulerImpl::submit_to_intake(const std::shared_ptr<SchedOp>& op) {
  prepare(*op);
  emit(*op, OpStatus::pending, k_not_a_worker);
  op->intake_owner = op;
  SchedOp* head = intake_.load(std::memory_order_relaxed);
  do {
    op->intake_next = head;
  } while (!intake_.compare_exchange_weak(head, op.get(), std::memory_order_seq_cst,
                                          std::memory_order_relaxed));
  if (running_preemptible_.load(std::memory_order_seq_cst) > 0) {
    LockGuard lock(mutex_);
    drain_intake();
  }
  // After the push, whoever drained it: so every intake operation has a job coming, and a
  // worker that drains the intake (and runs one of them itself) wakes no other for it.
  ensure_token(op->effective);
}

// Move the intake into the ready queue, oldest first.
void SchedulerImpl::drain_intake() {
  SchedOp* newest = intake_.exchange(nullptr, std::memory_order_seq_cst);
  SchedOp* oldest = nullptr;
  while (newest != nullptr) {
    SchedOp* next = newest->intake_next;
    newest->intake_next = oldest;
    oldest = newest;
    newest = next;
  }
  const Clock::time_point now = Clock::now();
  while (oldest != nullptr) {
    SchedOp& op = *oldest;
    oldest = op.intake_next;
    op.intake_next = nullptr;
    ++stats_.submitted;
    live_.emplace(op.seq, std::move(op.intake_owner));
    make_ready(op, now, /*post_token=*/false);  // its submitter posts it (submit_to_intake)
  }
}

}  // namespace neat::detail
