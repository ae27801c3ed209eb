// Worker: one thread of the ParallelExecutor. Its loop is split the marl way:
// run() -> find_work() (own queues, claimed sources, then steal()) -> execute(), and
// suspend() when there is nothing to do. [core.worker]
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <random>

#include "core/run_state.hpp"
#include "core/task_group.hpp"
#include "neat/detail/node.hpp"
#include "neat/detail/work_stealing_deque.hpp"

namespace neat::detail {

class ExecutorCore;

class Worker {
 public:
  using Item = WorkStealingDeque::Item;

  Worker(ExecutorCore& core, std::size_t index);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  /// The thread body: execute work until the executor stops.
  void run();
  /// Execute work until `done()` is true; never sleeps while work is runnable.
  void help_until(FunctionRef<bool()> done);
  /// Like help_until, but gives up at `deadline`. Returns done().
  bool help_until(FunctionRef<bool()> done, Clock::time_point deadline);

  void push(Node& node);
  void push(Job& job);

  [[nodiscard]] std::size_t index() const noexcept { return index_; }
  [[nodiscard]] ExecutorCore& core() const noexcept { return core_; }
  /// Steal one item, most urgent level first (any thread).
  Item steal_from(std::size_t level) { return queues_[level].steal(); }
  [[nodiscard]] bool has_queued_work() const noexcept;

  // Counters read by ParallelExecutor::worker_stats (relaxed: statistics only).
  std::atomic<std::uint64_t> executed{0};
  std::atomic<std::uint64_t> steals{0};
  std::atomic<std::uint64_t> sleeps{0};

 private:
  Item find_work();
  Item find_at(std::size_t level);
  Item take_source(SourceBatch& batch);
  Item steal();
  static OperationEvent make_event(const RunState& run, const Node& node, OpStatus status,
                                   std::size_t worker);
  void execute(Item item);
  void run_chain(Node* node);
  Node* process(Node& node);
  std::uint32_t execute_operation(Node& node, RunState& run);
  Node* release_successors(Node& node, RunState& run, std::uint32_t poison);
  void flush_completions();
  bool spin_for_work(Item& item);
  void suspend();
  [[nodiscard]] bool work_visible() const noexcept;
  static void bump(std::atomic<std::uint64_t>& counter) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  ExecutorCore& core_;
  const std::size_t index_;
  Observer* const observer_;
  std::array<WorkStealingDeque, k_priority_levels> queues_;
  // Claimed sources, one batch per priority level: a claim at one level must never drop what
  // is left of a batch at another. [core.sources]
  std::array<SourceBatch, k_priority_levels> batches_;
  // Completions are counted locally and handed to the run in one atomic step when the worker
  // runs out of work or moves to another run. [core.completion]
  RunState* completed_run_ = nullptr;
  std::int64_t completed_count_ = 0;
  std::minstd_rand rng_;
};

/// The calling thread's worker if it belongs to `core`, else nullptr.
[[nodiscard]] Worker* current_worker_of(const ExecutorCore& core) noexcept;

/// Tag bit of a Job* in a queue item (Node* items are at least 8-byte aligned).
inline constexpr std::uintptr_t k_job_tag = 1;

}  // namespace neat::detail
