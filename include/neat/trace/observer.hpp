// Observer: what the executor reports about a run, for traces, metrics and reports. The trace
// layer consumes these events; it holds no scheduling logic. With no observer attached the
// executor pays one predictable branch per operation.
//
// Thread-safety: callbacks arrive concurrently from every worker. `worker` in an event is the
// index of the calling worker (0 .. workers-1), so an observer can keep per-worker buffers and
// need no lock on the hot path. Callbacks must not throw and should be short.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "neat/common/types.hpp"

namespace neat {

using Clock = std::chrono::steady_clock;

/// Sentinel worker index for events raised by a thread that is not a worker.
inline constexpr std::size_t k_not_a_worker = static_cast<std::size_t>(-1);

struct RunEvent {
  std::uint64_t run_id = 0;
  std::size_t operations = 0;
  std::size_t workers = 0;
  Clock::time_point time;
};

struct OperationEvent {
  std::uint64_t run_id = 0;
  std::uint32_t operation = 0;  // OperationId::index within the run's graph
  std::string_view name;        // empty for anonymous operations
  std::string_view component;   // empty when none
  ExecutionPriority priority = ExecutionPriority::medium;
  OpStatus status = OpStatus::pending;  // ready / running / the terminal state
  std::size_t worker = k_not_a_worker;
  Clock::time_point time;
};

struct StealEvent {
  std::size_t thief = 0;
  std::size_t victim = 0;
  Clock::time_point time;
};

/// A batch-size decision of a BatchOptimizer: the component, the size before and after, and
/// why ("sweep: best throughput 41.2 items/ms at 32", "latency 12.1 ms over the 10 ms limit").
struct BatchDecisionEvent {
  std::string_view component;
  std::size_t from = 0;
  std::size_t to = 0;
  std::string_view reason;
  Clock::time_point time;
};

class Observer {
 public:
  virtual ~Observer() = default;
  /// Before any operation of the run is ready.
  virtual void on_run_begin(const RunEvent&) {}
  /// After every operation of the run reached its terminal state.
  virtual void on_run_end(const RunEvent&) {}
  /// An operation became ready (all dependencies done). Sources are ready at run begin.
  virtual void on_operation_ready(const OperationEvent&) {}
  /// An operation starts running on `worker`.
  virtual void on_operation_start(const OperationEvent&) {}
  /// An operation reached its terminal state; `status` says which. Skipped (cancelled)
  /// operations get only this event.
  virtual void on_operation_end(const OperationEvent&) {}
  /// The scheduler's watchdog: an operation has been running for longer than its threshold
  /// (reported once per running segment).
  virtual void on_long_running(const OperationEvent& /*event*/,
                               std::chrono::nanoseconds /*running_for*/) {}
  /// A worker took work from another worker's queue.
  virtual void on_steal(const StealEvent&) {}
  /// A worker found no work and goes to sleep / woke up.
  virtual void on_worker_sleep(std::size_t /*worker*/, Clock::time_point) {}
  virtual void on_worker_wake(std::size_t /*worker*/, Clock::time_point) {}
  /// A batch size chosen or changed (also when `from == to`: a sweep confirming a size).
  virtual void on_batch_decision(const BatchDecisionEvent& /*event*/) {}
};

}  // namespace neat
