// RunState: everything about one run of a graph — progress, source hand-out, cancellation,
// failures, and completion. Shared by the RunHandle(s) and the executor. [core.run]
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include "neat/common/types.hpp"
#include "neat/core/graph.hpp"
#include "neat/core/run_handle.hpp"
#include "neat/detail/node.hpp"
#include "neat/detail/thread_annotations.hpp"
#include "neat/trace/observer.hpp"

namespace neat::detail {

class ExecutorCore;

/// A range of sources claimed by one worker: graph.sources_[next, end) at one priority level.
struct SourceBatch {
  RunState* run = nullptr;
  std::uint32_t next = 0;
  std::uint32_t end = 0;
  std::size_t level = 0;
  [[nodiscard]] bool has_work() const noexcept { return run != nullptr && next < end; }
};

class RunState {
 public:
  RunState(ExecutorCore& core, OperationDependencyGraph& graph,
           std::unique_ptr<OperationDependencyGraph> owned_graph, std::uint64_t id);
  RunState(const RunState&) = delete;
  RunState& operator=(const RunState&) = delete;

  [[nodiscard]] std::uint64_t id() const noexcept { return id_; }
  [[nodiscard]] std::uint32_t epoch() const noexcept { return epoch_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] OperationDependencyGraph& graph() const noexcept { return graph_; }
  [[nodiscard]] ExecutorCore& core() const noexcept { return core_; }

  /// Bind to the graph (which must be idle) and prepare the source cursors. Throws neat::Error
  /// when the graph is already running.
  void attach(std::shared_ptr<RunState> self);
  [[nodiscard]] bool has_unclaimed_sources(std::size_t level) const noexcept;
  /// Claim a chunk of sources at `level` (guided: a share of what is left). False if none.
  bool claim_sources(std::size_t level, std::size_t workers, SourceBatch& batch) noexcept;

  [[nodiscard]] bool cancelled() const noexcept {
    return cancelled_.load(std::memory_order_relaxed);
  }
  void cancel() noexcept;
  [[nodiscard]] std::stop_token stop_token() const noexcept { return stop_.get_token(); }

  void record_failure(const Node& node, std::exception_ptr error);
  void record_not_run(const Node& node, OpStatus status, std::uint32_t cause);

  /// Count `count` operations as terminal; the call that reaches zero finishes the run.
  void complete(std::int64_t count);

  // ---- Caller side (RunHandle) --------------------------------------------------------------
  [[nodiscard]] bool done() const noexcept { return done_.load(std::memory_order_acquire); }
  void wait_done();
  bool wait_done_until(Clock::time_point deadline);
  [[nodiscard]] OpStatus status(std::uint32_t op) const;
  [[nodiscard]] std::vector<NotRunOperation> not_run() const;
  [[nodiscard]] std::size_t failure_count() const noexcept {
    return failures_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::exception_ptr first_failure() const;
  [[nodiscard]] std::chrono::nanoseconds makespan() const noexcept;
  [[nodiscard]] Clock::time_point start_time() const noexcept { return start_; }

 private:
  struct NotRunRecord {
    std::uint32_t op;
    OpStatus status;
    std::uint32_t cause;  // root cause index, k_caller_cancel, or k_no_cause (failed itself)
    std::string name;
    std::string error;  // for failures: the exception's text
  };
  void finish();
  void add_record(NotRunRecord record) NEAT_REQUIRES(mutex_);
  [[nodiscard]] const NotRunRecord* find_record(std::uint32_t op) const NEAT_REQUIRES(mutex_);
  [[nodiscard]] std::string reason(const NotRunRecord& record) const NEAT_REQUIRES(mutex_);

  ExecutorCore& core_;
  OperationDependencyGraph& graph_;
  std::unique_ptr<OperationDependencyGraph> owned_graph_;  // for single submitted operations
  const std::uint64_t id_;
  std::uint32_t epoch_ = 0;
  const std::size_t size_;
  Clock::time_point start_;
  std::atomic<std::int64_t> end_ns_{0};  // makespan, set by finish()
  std::shared_ptr<RunState> self_;       // keeps the run alive until it finishes

  alignas(64) std::array<std::atomic<std::uint32_t>, k_priority_levels> source_next_{};
  alignas(64) std::atomic<std::int64_t> remaining_{0};
  alignas(64) std::atomic<bool> cancelled_{false};
  std::stop_source stop_;
  std::atomic<std::size_t> failures_{0};

  mutable Mutex mutex_;
  std::exception_ptr first_failure_ NEAT_GUARDED_BY(mutex_);
  std::vector<NotRunRecord> not_run_ NEAT_GUARDED_BY(mutex_);
  std::unordered_map<std::uint32_t, std::size_t> not_run_index_ NEAT_GUARDED_BY(mutex_);

  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::atomic<bool> done_{false};
};

}  // namespace neat::detail
