// ExecutorCore: the state behind ParallelExecutor — the workers, the runs whose sources are
// being handed out, the idle notifier, and the count of runs in flight. [core.executor]
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "core/idle_notifier.hpp"
#include "core/run_state.hpp"
#include "core/worker.hpp"
#include "neat/core/executor.hpp"
#include "neat/detail/thread_annotations.hpp"

namespace neat::detail {

/// [core.urgent] A layer above the core (the ExecutionScheduler) that runs long, yielding work
/// on the workers hears when a graph run brings work of some level, so that it can ask its own
/// less urgent work to yield. Called on the thread that starts the run, without core locks.
class UrgentWorkListener {
 public:
  virtual void on_urgent_work(ExecutionPriority level) = 0;

 protected:
  ~UrgentWorkListener() = default;
};

class ExecutorCore {
 public:
  ExecutorCore(ParallelExecutor& facade, const ExecutorOptions& options);
  ~ExecutorCore();
  ExecutorCore(const ExecutorCore&) = delete;
  ExecutorCore& operator=(const ExecutorCore&) = delete;

  std::shared_ptr<RunState> start(OperationDependencyGraph& graph,
                                  std::unique_ptr<OperationDependencyGraph> owned);
  void add_listener(UrgentWorkListener& listener);
  /// After it returns, the listener is not called again.
  void remove_listener(UrgentWorkListener& listener);
  void wait_for_all();

  /// The calling thread's worker if it belongs to this executor, else nullptr.
  [[nodiscard]] Worker* current_worker() const noexcept;

  /// Claim a chunk of some run's sources at `level`; false when none is left.
  bool claim_sources(std::size_t level, SourceBatch& batch);
  [[nodiscard]] bool sources_available(std::size_t level) const noexcept {
    return (source_levels_.load(std::memory_order_relaxed) >> level & 1u) != 0;
  }
  /// The most urgent level with unclaimed sources (k_priority_levels when none).
  [[nodiscard]] std::size_t most_urgent_source_level() const noexcept {
    const std::uint32_t levels = source_levels_.load(std::memory_order_relaxed);
    return levels == 0 ? k_priority_levels : static_cast<std::size_t>(std::countr_zero(levels));
  }
  [[nodiscard]] bool any_sources() const noexcept {
    return source_levels_.load(std::memory_order_relaxed) != 0;
  }

  void run_finished() noexcept;

  /// Hand a job to the workers, from any thread: a worker pushes it on its own deque, other
  /// threads put it in the posted queue of its priority level. [core.post]
  void post(Job& job);
  [[nodiscard]] bool jobs_posted(std::size_t level) const noexcept {
    return (posted_levels_.load(std::memory_order_relaxed) >> level & 1u) != 0;
  }
  [[nodiscard]] bool any_posted() const noexcept {
    return posted_levels_.load(std::memory_order_relaxed) != 0;
  }
  /// Oldest posted job of `level`, or nullptr.
  Job* take_posted(std::size_t level);

  [[nodiscard]] std::size_t worker_count() const noexcept { return workers_.size(); }
  [[nodiscard]] Worker& worker(std::size_t i) const noexcept { return *workers_[i]; }
  [[nodiscard]] Observer* observer() const noexcept { return observer_; }
  [[nodiscard]] ParallelExecutor& facade() const noexcept { return facade_; }
  [[nodiscard]] IdleNotifier& notifier() noexcept { return notifier_; }
  [[nodiscard]] bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }

 private:
  void update_source_levels() NEAT_REQUIRES(sources_mutex_);
  void tell_listeners(const OperationDependencyGraph& graph);

  ParallelExecutor& facade_;
  Observer* const observer_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  IdleNotifier notifier_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_run_id_{1};

  Mutex sources_mutex_;
  std::vector<std::shared_ptr<RunState>> source_runs_ NEAT_GUARDED_BY(sources_mutex_);
  alignas(64) std::atomic<std::uint32_t> source_levels_{0};  // bit l: sources left at level l

  Mutex posted_mutex_;
  std::array<std::deque<Job*>, k_priority_levels> posted_ NEAT_GUARDED_BY(posted_mutex_);
  alignas(64) std::atomic<std::uint32_t> posted_levels_{0};  // bit l: posted jobs at level l

  std::shared_mutex listeners_mutex_;
  std::vector<UrgentWorkListener*> listeners_;  // guarded by listeners_mutex_
  std::atomic<std::size_t> listener_count_{0};

  std::mutex flight_mutex_;
  std::condition_variable flight_cv_;
  std::size_t in_flight_ = 0;  // guarded by flight_mutex_
};

}  // namespace neat::detail
