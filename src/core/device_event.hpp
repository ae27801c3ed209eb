// EventState: the shared state behind neat::Event, and the pieces that stream backends need —
// a job that runs a function, and the stream whose work the calling thread is running.
// [core.device.event]
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include "core/task_group.hpp"
#include "neat/common/types.hpp"

namespace neat {
class Stream;
}

namespace neat::detail {

class ExecutorCore;

/// Post `fn` to the executor as a job of `priority`. The job deletes itself before running it.
void post_function(ExecutorCore& core, ExecutionPriority priority, std::function<void()> fn);

/// The stream whose work this thread is running now (nullptr when none). Set by backends
/// around each work item, so that waiting for oneself is refused instead of hanging.
[[nodiscard]] const Stream* running_stream() noexcept;
class RunningStreamScope {
 public:
  explicit RunningStreamScope(const Stream& stream) noexcept;
  ~RunningStreamScope();
  RunningStreamScope(const RunningStreamScope&) = delete;
  RunningStreamScope& operator=(const RunningStreamScope&) = delete;

 private:
  const Stream* previous_;
};

class EventState {
 public:
  explicit EventState(ExecutorCore& core) noexcept : core_(core) {}

  [[nodiscard]] ExecutorCore& core() const noexcept { return core_; }
  [[nodiscard]] bool recorded() const noexcept { return recorded_.load(std::memory_order_acquire); }
  [[nodiscard]] bool complete() const noexcept { return complete_.load(std::memory_order_acquire); }
  /// The error it completed with; nullptr while incomplete or after a success.
  [[nodiscard]] std::exception_ptr error() const noexcept { return complete() ? error_ : nullptr; }
  /// The stream that recorded it (nullptr before).
  [[nodiscard]] const Stream* stream() const noexcept {
    return stream_.load(std::memory_order_acquire);
  }

  /// Mark recorded by `stream`, whose completion jobs run at `priority`. False (and nothing
  /// changes) when it was recorded already.
  bool mark_recorded(const Stream& stream, ExecutionPriority priority) noexcept;
  /// Complete with `error` (nullptr: success): wake waiters, run the continuations. Touches
  /// nothing of the state once completion is published, so the caller need not hold a
  /// reference if a waiter does. [core.device.error]
  void finish(std::exception_ptr error);

  /// Run `fn` on the completing thread when complete (now, on this thread, if it is). `fn`
  /// must be short and must not throw: backends use it to re-post a parked stream.
  void on_complete(std::function<void()> fn);
  /// Post `fn` as a job when complete (at once if it is).
  void then(std::function<void()> fn);

  /// Block (help, on a worker of the executor) until complete. Returns only after finish()
  /// has left the state, so the caller may then drop the last reference.
  void wait();
  /// Like wait(), up to `deadline`. True when complete.
  bool wait_until(std::chrono::steady_clock::time_point deadline);

 private:
  struct Continuation {
    std::function<void()> fn;
    bool posted;  // a job on a worker (then), or inline on the completing thread (on_complete)
  };
  void add(Continuation continuation);
  static void run(ExecutorCore& core, ExecutionPriority priority, Continuation& continuation);

  ExecutorCore& core_;
  std::atomic<bool> recorded_{false};
  std::atomic<bool> complete_{false};
  std::atomic<const Stream*> stream_{nullptr};
  // Written by mark_recorded before any finish(); read by finish (ordered by the backend's
  // queue, which only finishes recorded events).
  std::atomic<ExecutionPriority> priority_{ExecutionPriority::medium};
  mutable std::mutex mutex_;
  std::condition_variable done_cv_;
  std::exception_ptr error_;  // written under mutex_ once, before complete_ is published
  std::vector<Continuation> continuations_;  // guarded by mutex_
};

}  // namespace neat::detail
