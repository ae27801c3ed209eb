// PipelineCore: the type-erased scheduler behind ExecutionPipeline<T>. It knows items only by
// slot (an index into the typed layer's storage) and sequence number, and drives them through
// the stages by completion: when an invocation ends, the same worker decides what becomes
// runnable (the item's next stage, the next item of a serial stage, the next source call) and
// submits it to the executor. Nothing waits inside a worker. [sched.pipeline]
//
// Thread-safety: every public member may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "neat/core/executor.hpp"
#include "neat/core/run_handle.hpp"
#include "neat/detail/thread_annotations.hpp"
#include "neat/sched/pipeline_stage.hpp"

namespace neat::detail {

class PipelineCore : public std::enable_shared_from_this<PipelineCore> {
 public:
  PipelineCore(ParallelExecutor& executor, const PipelineOptions& options,
               std::vector<StageOptions> stages);
  virtual ~PipelineCore();
  PipelineCore(const PipelineCore&) = delete;
  PipelineCore& operator=(const PipelineCore&) = delete;

  /// Start producing; a stop request on `stop` cancels the run. Call once.
  void start(std::stop_token stop);
  void cancel() noexcept;

  [[nodiscard]] bool done() const noexcept { return done_.load(std::memory_order_acquire); }
  /// Wait (helping on a worker) until done; rethrow the first failure.
  PipelineStatus wait();
  /// Wait at most `timeout`; true when done. Never rethrows.
  bool wait_for(std::chrono::nanoseconds timeout);

  [[nodiscard]] std::size_t max_in_flight() const noexcept { return tokens_; }
  [[nodiscard]] std::uint64_t items_produced() const noexcept {
    return produced_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t items_completed() const noexcept {
    return completed_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t failure_count() const noexcept {
    return failures_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::exception_ptr first_failure() const;

 protected:
  /// Fill `slot` with the next item; false at the end of the stream. Called serially.
  virtual bool produce(std::size_t slot) = 0;
  /// Run stage `stage` on the item in `slot`.
  virtual void process(std::size_t stage, std::size_t slot, OpContext& ctx) = 0;
  /// Destroy the item in `slot` (it left the last stage, or its stage failed).
  virtual void discard(std::size_t slot) noexcept = 0;

 private:
  static constexpr std::uint32_t k_source = UINT32_MAX;
  static constexpr std::uint32_t k_no_slot = UINT32_MAX;

  struct Invocation {
    std::uint32_t stage;  // k_source for the source
    std::uint32_t slot;
    std::uint64_t seq;  // position of the item in the stream
  };
  // A serial stage admits item `next_seq` only; items that arrive early wait in `waiting`,
  // indexed by seq % tokens (all waiting items lie within one window of `tokens` sequence
  // numbers, since none of them has passed this stage yet).
  struct SerialGate {
    std::uint64_t next_seq = 0;
    bool busy = false;
    std::vector<std::uint32_t> waiting;
  };
  enum class Outcome : std::uint8_t { done, end_of_stream, failed, skipped };

  void execute(const Invocation& inv, OpContext& ctx);
  Outcome run_user_code(const Invocation& inv, OpContext& ctx);
  void record_failure(const Invocation& inv, std::exception_ptr error) NEAT_REQUIRES(mutex_);
  void advance(const Invocation& inv, Outcome outcome, std::vector<Invocation>& next)
      NEAT_REQUIRES(mutex_);
  void arrive(std::uint32_t stage, std::uint32_t slot, std::uint64_t seq,
              std::vector<Invocation>& next) NEAT_REQUIRES(mutex_);
  void try_start_source(std::vector<Invocation>& next) NEAT_REQUIRES(mutex_);
  void try_start_serial(std::uint32_t stage, std::vector<Invocation>& next) NEAT_REQUIRES(mutex_);
  [[nodiscard]] bool finished() const NEAT_REQUIRES(mutex_);
  void submit(const std::vector<Invocation>& next);
  void remember(RunHandle handle);
  [[nodiscard]] RunHandle unfinished_invocation();
  void mark_done();
  bool help_until_done(std::optional<Clock::time_point> deadline);
  bool block_until_done(std::optional<Clock::time_point> deadline);
  [[nodiscard]] const std::string& stage_name(std::uint32_t stage) const noexcept;

  ParallelExecutor& executor_;
  const std::string name_;
  const std::size_t tokens_;
  std::vector<OperationDescriptor> descriptors_;  // one per stage, then the source's
  std::vector<StageKind> kinds_;

  std::atomic<bool> stopping_{false};  // failure or cancel: start nothing new
  std::atomic<std::uint64_t> produced_{0};
  std::atomic<std::uint64_t> completed_{0};
  std::atomic<std::size_t> failures_{0};

  mutable Mutex mutex_;
  std::vector<std::uint32_t> free_slots_ NEAT_GUARDED_BY(mutex_);
  std::vector<SerialGate> gates_ NEAT_GUARDED_BY(mutex_);  // empty gate for parallel stages
  std::uint64_t next_seq_ NEAT_GUARDED_BY(mutex_) = 0;
  std::size_t running_ NEAT_GUARDED_BY(mutex_) = 0;  // invocations submitted, not finished
  std::size_t in_flight_ NEAT_GUARDED_BY(mutex_) = 0;
  bool source_busy_ NEAT_GUARDED_BY(mutex_) = false;
  bool source_ended_ NEAT_GUARDED_BY(mutex_) = false;
  bool cancelled_ NEAT_GUARDED_BY(mutex_) = false;
  std::exception_ptr first_failure_ NEAT_GUARDED_BY(mutex_);

  // Handles of submitted invocations, so that a waiter on a worker can help: it waits on one
  // that is not done yet, which executes work instead of blocking. [sched.pipeline.help]
  Mutex handles_mutex_;
  std::vector<RunHandle> handles_ NEAT_GUARDED_BY(handles_mutex_);

  std::optional<std::stop_callback<std::function<void()>>> on_stop_;
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::atomic<bool> done_{false};
};

}  // namespace neat::detail
