// ParallelExecutor: the one pool of workers of a neatsched process. Work-stealing deques per
// worker with four priority levels (the most urgent level is popped and stolen first), idle
// workers asleep on a futex, worker count from the CPUs this process may really use.
//
// Graphs, single operations and nested parallelism (OpContext) all run on these workers.
//
// Thread-safety: every member may be called from any thread, including from inside a running
// operation. run() and submit() never block; RunHandle::wait() blocks, or helps when called
// from a worker.
//
//   neat::ParallelExecutor executor;             // one worker per usable CPU
//   neat::OperationDependencyGraph graph;
//   auto a = graph.emplace([] { load(); });
//   auto b = graph.emplace([] { compute(); });
//   a.precede(b);
//   executor.run(graph).wait();                  // run it as often as you like
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "neat/core/graph.hpp"
#include "neat/core/op_context.hpp"
#include "neat/core/run_handle.hpp"
#include "neat/trace/observer.hpp"

namespace neat {

class Observer;
class ParallelExecutor;
namespace detail {
class ExecutorCore;
/// The executor's internals, for the layers above the core (the scheduler). Internal.
ExecutorCore& core_of(ParallelExecutor& executor) noexcept;
}  // namespace detail

struct ExecutorOptions {
  /// Number of workers; 0 means one per CPU this process may use (affinity and cgroup quota).
  std::size_t workers = 0;
  /// Receives run, operation and steal events; must outlive the executor. nullptr: none.
  Observer* observer = nullptr;
};

/// Per-worker counters since the executor started (read while running: approximate).
struct WorkerStats {
  std::uint64_t executed = 0;  // operations (run or skipped) and nested jobs
  std::uint64_t steals = 0;    // items taken from another worker
  std::uint64_t sleeps = 0;    // times the worker went to sleep for lack of work
};

class ParallelExecutor {
 public:
  explicit ParallelExecutor(ExecutorOptions options = {});
  /// Waits for every run in progress, then stops the workers.
  ~ParallelExecutor();
  ParallelExecutor(const ParallelExecutor&) = delete;
  ParallelExecutor& operator=(const ParallelExecutor&) = delete;

  [[nodiscard]] std::size_t worker_count() const noexcept;

  /// Start a run of `graph`. Compiles and validates it first: a cycle throws CycleError and
  /// nothing runs. Throws neat::Error when the graph is already running. Non-blocking.
  [[nodiscard]] RunHandle run(OperationDependencyGraph& graph);

  /// Run one operation. `fn` is callable as fn() or fn(OpContext&). Non-blocking.
  template <class F>
  [[nodiscard]] RunHandle submit(const OperationDescriptor& descriptor, F&& fn) {
    auto graph = std::make_unique<OperationDependencyGraph>();
    graph->add(descriptor, std::forward<F>(fn));
    return run_owned(std::move(graph));
  }

  /// Block until no run is in progress. Must not be called from a worker.
  void wait_for_all();

  [[nodiscard]] std::vector<WorkerStats> worker_stats() const;

  /// Index of the calling thread's worker in this executor, or k_not_a_worker.
  [[nodiscard]] std::size_t current_worker() const noexcept;

 private:
  friend detail::ExecutorCore& detail::core_of(ParallelExecutor& executor) noexcept;
  RunHandle run_owned(std::unique_ptr<OperationDependencyGraph> graph);
  std::unique_ptr<detail::ExecutorCore> core_;
};

}  // namespace neat
