// SchedOp: one operation submitted to an ExecutionScheduler — its description, its place in the
// dynamic dependency graph, its queue position and its outcome. Shared by the handles and the
// scheduler. Fields marked [sched-locked] are guarded by the scheduler's mutex. Internal.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <type_traits>
#include <vector>

#include "neat/core/op_context.hpp"
#include "neat/core/operation_descriptor.hpp"
#include "neat/detail/operation_info.hpp"
#include "neat/resources/memory_reservation.hpp"
#include "neat/sched/task.hpp"
#include "neat/trace/observer.hpp"

namespace neat::detail {

class SchedulerImpl;
class Worker;

class SchedOp : public OperationInfo {
 public:
  SchedOp(OperationDescriptor descriptor, std::optional<Clock::time_point> deadline)
      : descriptor_(std::move(descriptor)), deadline_(deadline) {}
  virtual ~SchedOp() = default;
  SchedOp(const SchedOp&) = delete;
  SchedOp& operator=(const SchedOp&) = delete;

  /// Run (or resume) the user's callable on `worker` and keep its result, or let its exception
  /// escape. False when a coroutine parked at a checkpoint and must be resumed later.
  virtual bool run(Worker& worker) = 0;

  // OperationInfo
  OperationId id() const noexcept override { return OperationId{static_cast<std::uint32_t>(seq)}; }
  std::string name() const override { return descriptor_.name; }
  std::string_view component() const override { return descriptor_.component; }
  ExecutionPriority priority() const noexcept override { return descriptor_.priority; }
  bool stop_requested() const noexcept override;
  std::stop_token stop_token() const noexcept override { return stop_.get_token(); }
  bool should_yield() const noexcept override {
    return yield_requested.load(std::memory_order_relaxed);
  }

  [[nodiscard]] const OperationDescriptor& descriptor() const noexcept { return descriptor_; }
  [[nodiscard]] std::optional<Clock::time_point> deadline() const noexcept { return deadline_; }
  [[nodiscard]] OpStatus status() const noexcept { return status_.load(std::memory_order_acquire); }
  [[nodiscard]] bool done() const noexcept { return is_terminal(status()); }

  // Completion, for the handles (own mutex: waiters never take the scheduler's).
  void wait_done();
  bool wait_done_until(Clock::time_point deadline);
  void publish(OpStatus status, std::exception_ptr error, std::string reason);
  [[nodiscard]] std::exception_ptr error() const;
  [[nodiscard]] std::string reason() const;
  /// Rethrow the failure as OperationFailed, or throw for cancelled / timed out.
  void rethrow_outcome() const;
  /// While deferred: why (reason() returns it until the operation finishes).
  void note(std::string why);

  // Small fields first, packed together (an operation is written by the submitting thread
  // and read by a worker: every cache line it spans costs a transfer).
  bool preemptible = false;                  // a coroutine: it can park at checkpoints
  std::atomic<bool> yield_requested{false};  // set by the scheduler, read at checkpoints
  std::atomic<OpStatus> status_{OpStatus::pending};
  // [sched-locked] own level raised by inheritance; watchdog; ready-queue level; graph.
  ExecutionPriority effective = ExecutionPriority::medium;
  bool reported_long = false;
  bool queued = false;
  bool cascaded = false;  // cancelled because a dependency did not complete
  ExecutionPriority queued_level = ExecutionPriority::medium;
  int unfinished_dependencies = 0;

  std::uint64_t seq = 0;
  std::uint64_t tie_break = 0;  // orders equal level and rank: seq, or random in debug mode
  SchedulerImpl* scheduler = nullptr;
  // [sched.intake] While in the scheduler's lock-free intake: the next entry, and the
  // reference that keeps this operation alive until it is moved into the ready queue.
  SchedOp* intake_next = nullptr;
  std::shared_ptr<SchedOp> intake_owner;
  // Created when it first starts (under the scheduler's mutex): a stop request before that
  // finishes the operation instead, so a submission need not allocate a stop state.
  std::stop_source stop_{std::nostopstate};

  // [sched-locked] dynamic graph
  std::vector<std::shared_ptr<SchedOp>> dependents;
  std::vector<std::shared_ptr<SchedOp>> predecessors;  // unfinished when added
  double rank = 1.0;                                   // HEFT upward rank

  // Set at submission only for an operation that names a kind for the profiler or needs memory
  // (most do not, and skip the allocation).
  struct Extras {
    std::string kind;
    std::vector<double> footprint;
    double estimate_us = 0.0;  // the profiler's prediction; 0 when none
    Reservation memory;        // held from admission until it finishes (kept while paused)
  };
  std::unique_ptr<Extras> extras;
  [[nodiscard]] Extras& ensure_extras() {
    if (!extras) extras = std::make_unique<Extras>();
    return *extras;
  }
  Clock::duration run_time{0};  // summed over running segments by the dispatcher

  Clock::time_point running_since;  // [sched-locked] watchdog

  // [sched-locked] ready-queue position
  double queued_rank = 0.0;
  Clock::time_point ready_since;
  std::list<SchedOp*>::iterator fifo_position;

 private:
  OperationDescriptor descriptor_;
  std::optional<Clock::time_point> deadline_;
  mutable std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::exception_ptr error_;  // guarded by done_mutex_
  std::string reason_;        // guarded by done_mutex_
};

/// The result type of an operation's callable, called as fn(OpContext&) or fn().
template <class F>
struct CallResult {
  using type = typename std::conditional_t<std::is_invocable_v<F&, OpContext&>,
                                           std::invoke_result<F&, OpContext&>,
                                           std::invoke_result<F&>>::type;
};

/// The part of a typed operation the handle reads.
template <class R>
class ResultHolder : public SchedOp {
 public:
  using SchedOp::SchedOp;
  /// The result; valid once the operation completed.
  R& result() { return *result_; }

 protected:
  std::optional<R> result_;
};
template <>
class ResultHolder<void> : public SchedOp {
 public:
  using SchedOp::SchedOp;
};

/// A SchedOp for a callable returning R (void allowed).
template <class R, class F>
class TypedOp final : public ResultHolder<R> {
 public:
  TypedOp(OperationDescriptor descriptor, std::optional<Clock::time_point> deadline, F fn)
      : ResultHolder<R>(std::move(descriptor), deadline), fn_(std::move(fn)) {}

  bool run(Worker& worker) override {
    OpContext context(worker, *this);
    if constexpr (std::is_void_v<R>) {
      call(context);
    } else {
      this->result_.emplace(call(context));
    }
    context.wait_spawned();
    return true;
  }

 private:
  decltype(auto) call(OpContext& context) {
    if constexpr (std::is_invocable_v<F&, OpContext&>) {
      return fn_(context);
    } else {
      return fn_();
    }
  }
  F fn_;
};

/// A SchedOp for a callable returning Task<R>: resumed until it finishes, parking at the
/// checkpoints where the scheduler asks it to yield. Its OpContext lives as long as it does.
template <class R, class F>
class CoroutineOp final : public ResultHolder<R> {
 public:
  CoroutineOp(OperationDescriptor descriptor, std::optional<Clock::time_point> deadline, F fn)
      : ResultHolder<R>(std::move(descriptor), deadline), fn_(std::move(fn)) {
    this->preemptible = true;
  }

  bool run(Worker& worker) override {
    if (!context_) {
      context_.emplace(worker, *this);
      if constexpr (std::is_invocable_v<F&, OpContext&>) {
        task_ = fn_(*context_);
      } else {
        task_ = fn_();
      }
    } else {
      context_->rebind(worker);
    }
    if (!task_.resume()) return false;
    context_->wait_spawned();
    if constexpr (std::is_void_v<R>) {
      task_.take();
    } else {
      this->result_.emplace(task_.take());
    }
    return true;
  }

 private:
  F fn_;
  std::optional<OpContext> context_;
  Task<R> task_;
};

}  // namespace neat::detail
