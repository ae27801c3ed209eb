// OpContext: what a running operation sees. Its identity, its stop token, and nested
// parallelism on the same workers (so the machine is never oversubscribed).
//
// Thread-safety: an OpContext belongs to one running operation; use it only from the thread
// that runs that operation, and only while it runs.
//
//   graph.emplace([&](neat::OpContext& ctx) {
//     ctx.parallel_for(0, rows, [&](std::size_t r) { scale_row(r); });  // helps, never blocks
//     if (ctx.stop_requested()) return;
//   });
#pragma once

#include <coroutine>
#include <cstddef>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>

#include "neat/common/types.hpp"
#include "neat/core/operation_descriptor.hpp"
#include "neat/detail/function_ref.hpp"
#include "neat/detail/operation_info.hpp"

namespace neat {

class ParallelExecutor;
namespace detail {
class Worker;
class TaskGroup;
}  // namespace detail

/// What `co_await ctx.checkpoint()` waits on: nothing, unless the operation should yield; then
/// the coroutine suspends and the scheduler parks it. [sched.preempt]
class CheckpointAwaiter {
 public:
  explicit CheckpointAwaiter(const detail::OperationInfo& operation) noexcept
      : operation_(operation) {}
  [[nodiscard]] bool await_ready() const noexcept { return !operation_.should_yield(); }
  void await_suspend(std::coroutine_handle<> /*coroutine*/) const noexcept {}
  void await_resume() const noexcept {}

 private:
  const detail::OperationInfo& operation_;
};

class OpContext {
 public:
  OpContext(detail::Worker& worker, const detail::OperationInfo& operation) noexcept;
  ~OpContext();
  OpContext(const OpContext&) = delete;
  OpContext& operator=(const OpContext&) = delete;

  [[nodiscard]] OperationId id() const noexcept;
  [[nodiscard]] std::string name() const;
  [[nodiscard]] std::string_view component() const;
  [[nodiscard]] ExecutionPriority priority() const noexcept;
  /// Index of the worker running this operation (0 .. worker_count-1).
  [[nodiscard]] std::size_t worker_index() const noexcept;
  /// True once the run was cancelled; long operations should poll it and return early.
  [[nodiscard]] bool stop_requested() const noexcept;
  [[nodiscard]] std::stop_token stop_token() const noexcept;
  [[nodiscard]] ParallelExecutor& executor() const noexcept;

  /// A yield point for coroutine operations of the ExecutionScheduler (`neat::Task<T>`):
  /// `co_await ctx.checkpoint()` costs a check when nothing more urgent waits, and parks the
  /// operation when the scheduler wants its worker. Never yields for graph operations.
  [[nodiscard]] CheckpointAwaiter checkpoint() const noexcept {
    return CheckpointAwaiter(operation_);
  }
  /// Whether the scheduler asks this operation to give its worker up at its next checkpoint.
  /// Only coroutine operations are asked; for others it stays false.
  [[nodiscard]] bool should_yield() const noexcept { return operation_.should_yield(); }
  /// Internal: a parked coroutine operation resumes on another worker.
  void rebind(detail::Worker& worker) noexcept { worker_ = &worker; }

  /// Run `fn()` as a child task on the executor's workers, at this operation's priority.
  /// The operation is not complete until its children are: wait_spawned() waits explicitly,
  /// and the executor waits (helping) after the operation's body returns.
  template <class F>
  void spawn(F&& fn) {
    spawn_function(std::function<void()>(std::forward<F>(fn)));
  }
  /// Wait for every child spawned so far, executing work meanwhile; rethrows the first
  /// exception a child threw.
  void wait_spawned();

  /// Call body(i) for every i in [begin, end), split across workers in chunks of at least
  /// `grain` (0 = chosen from the range and worker count). Blocks only by helping; rethrows
  /// the first exception a chunk threw after every chunk finished.
  template <class F>
  void parallel_for(std::size_t begin, std::size_t end, F&& body, std::size_t grain = 0) {
    auto chunk = [&body](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) body(i);
    };
    parallel_for_chunks(begin, end, grain,
                        detail::FunctionRef<void(std::size_t, std::size_t)>(chunk));
  }

  /// Like parallel_for, but body(b, e) receives whole chunks [b, e).
  void parallel_for_chunks(std::size_t begin, std::size_t end, std::size_t grain,
                           detail::FunctionRef<void(std::size_t, std::size_t)> body);

 private:
  void spawn_function(std::function<void()> fn);

  detail::Worker* worker_;
  const detail::OperationInfo& operation_;
  detail::TaskGroup* children_ = nullptr;  // created on first spawn
};

}  // namespace neat
