// Jobs: work items that are not graph operations (spawned children, parallel_for chunks), and
// the TaskGroup that counts them so that their parent can wait by helping. [core.nested]
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>

#include "neat/common/types.hpp"
#include "neat/detail/function_ref.hpp"
#include "neat/detail/thread_annotations.hpp"

namespace neat::detail {

class Worker;

/// Counts unfinished jobs and keeps the first exception one of them threw.
class TaskGroup {
 public:
  void add(std::int64_t n) noexcept { pending_.fetch_add(n, std::memory_order_relaxed); }
  /// Release: the parent that sees zero also sees every job's side effects.
  void finish_one() noexcept { pending_.fetch_sub(1, std::memory_order_acq_rel); }
  [[nodiscard]] bool idle() const noexcept { return pending_.load(std::memory_order_acquire) == 0; }
  void fail(std::exception_ptr error) {
    LockGuard lock(mutex_);
    if (!first_error_) first_error_ = std::move(error);
  }
  /// Rethrow (and clear) the first error, if any.
  void rethrow_if_failed() {
    std::exception_ptr error;
    {
      LockGuard lock(mutex_);
      error = std::exchange(first_error_, nullptr);
    }
    if (error) std::rethrow_exception(error);
  }

 private:
  std::atomic<std::int64_t> pending_{0};
  Mutex mutex_;
  std::exception_ptr first_error_ NEAT_GUARDED_BY(mutex_);
};

/// A unit of work that is not a graph operation: nested work, or work posted by a layer above
/// the core (the ExecutionScheduler). execute() owns the job: it must delete it or hand it on.
class Job {
 public:
  explicit Job(ExecutionPriority priority) noexcept : priority_(priority) {}
  virtual ~Job() = default;
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;
  virtual void execute(Worker& worker) = 0;
  [[nodiscard]] ExecutionPriority priority() const noexcept { return priority_; }

 protected:
  ExecutionPriority priority_;
};

/// A job counted by a TaskGroup (spawned children, parallel_for chunks).
class GroupJob : public Job {
 public:
  GroupJob(TaskGroup& group, ExecutionPriority priority) noexcept : Job(priority), group_(group) {}

 protected:
  TaskGroup& group_;
};

/// A child spawned with OpContext::spawn.
class SpawnJob final : public GroupJob {
 public:
  SpawnJob(TaskGroup& group, ExecutionPriority priority, std::function<void()> fn)
      : GroupJob(group, priority), fn_(std::move(fn)) {}
  void execute(Worker& worker) override;

 private:
  std::function<void()> fn_;
};

/// A piece of a parallel_for: splits itself in halves down to `grain`, pushing the upper
/// halves for thieves, then runs what is left.
class RangeJob final : public GroupJob {
 public:
  RangeJob(TaskGroup& group, ExecutionPriority priority,
           FunctionRef<void(std::size_t, std::size_t)> body, std::size_t begin, std::size_t end,
           std::size_t grain) noexcept
      : GroupJob(group, priority), body_(body), begin_(begin), end_(end), grain_(grain) {}
  void execute(Worker& worker) override;

 private:
  FunctionRef<void(std::size_t, std::size_t)> body_;
  std::size_t begin_;
  std::size_t end_;
  std::size_t grain_;
};

}  // namespace neat::detail
