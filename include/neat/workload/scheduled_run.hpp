// run_scheduled(): a workload run the way components submit work over time. Every operation
// goes through an ExecutionScheduler at its arrival time (`arrive_ms`), with its priority, its
// `after` dependencies as handles, its data accesses and its deadline (`deadline_ms`); kernels
// with checkpoints (`checkpoint_us`) run as preemptible coroutines; the workload's pipelines run
// through ExecutionPipelines on the same executor at the same time; its request streams feed
// DynamicBatchers whose batches run through the same scheduler (component, priority, memory).
// The report says what became of each operation, pipeline and stream, how long operations
// waited to start per priority level, and what the scheduler did (preemptions, parks,
// promotions, inheritance). [workload.scheduled]
//
// Request streams [workload.streams]: each stream's requests come from plain threads, never
// workers: one per open-loop stream, which sleeps until each arrival (stream_arrivals()) and
// submits, and one per closed-loop client, which submits and waits for the result before its
// next request. The run ends when every request has its result. With a MemoryBudgetManager the
// batcher also gets it as `memory`, so batches fit the component's budget and shrink under
// pressure.
//
// Submission order: by arrival time, then in a topological order of the `after` edges that
// keeps file order where it can (the parser refuses an `after` that names a later arrival), so
// data accesses are ordered by that submission order. Operations that end cancelled or timed
// out are reported, not thrown; so are failures (ScheduledRun::first_failure()).
//
// Thread-safety: run_scheduled() blocks the calling thread, which sleeps until each arrival,
// submits, then waits for everything. It must not be called from a worker of `executor`
// (neat::Error).
//
//   neat::Workload w = neat::load_workload("examples/preemption.json");
//   neat::ParallelExecutor executor({.workers = 2, .observer = &trace});
//   neat::ScheduledRun run = neat::run_scheduled(w, executor);   // throws CycleError
//   for (const neat::ScheduledOperation& op : run.operations)
//     std::printf("%s: %s\n", op.name.c_str(), std::string(neat::to_string(op.status)).c_str());
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "neat/batch/dynamic_batcher_options.hpp"
#include "neat/core/executor.hpp"
#include "neat/sched/execution_scheduler.hpp"
#include "neat/workload/workload.hpp"

namespace neat {

struct ScheduledRunOptions {
  /// Options of the ExecutionScheduler that run_scheduled() creates (aging, debug switches,
  /// watchdog, profiler).
  SchedulerOptions scheduler{};
  /// false: every request of a request stream is its own batch (max_batch 1, no preferred
  /// sizes; the rest of the stream's batcher as given), to compare with batching.
  bool batching = true;
};

/// What became of one operation. Times are µs since the run started.
struct ScheduledOperation {
  std::string name{};
  std::string component{};
  ExecutionPriority priority = ExecutionPriority::medium;            // as submitted
  ExecutionPriority effective_priority = ExecutionPriority::medium;  // raised by inheritance
  OpStatus status = OpStatus::pending;                               // terminal
  std::string reason{};      // why it did not complete ("" when it did)
  bool preemptible = false;  // its kernel has checkpoints: a coroutine operation
  double submitted_us = 0.0;
  std::optional<double> start_latency_us{};  // first start - submission; nullopt: never started
  std::optional<double> finished_us{};       // when its kernel returned
  std::uint64_t pauses = 0;                  // times it parked at a checkpoint
};

/// Start latency (start - submission) of the operations submitted at one priority level.
struct StartLatency {
  ExecutionPriority priority = ExecutionPriority::medium;
  std::size_t operations = 0;  // submitted at this level
  std::size_t started = 0;     // of which started (the others were cancelled or timed out)
  double mean_us = 0.0;        // over the started ones
  double max_us = 0.0;
};

/// What became of one pipeline. Times are µs since the run started.
struct ScheduledPipeline {
  std::string name{};
  std::string component{};
  std::string status{};  // "completed", "cancelled" or "failed"
  std::string reason{};  // the failure ("" otherwise)
  std::uint64_t items = 0;
  std::uint64_t items_completed = 0;  // through the last stage
  std::size_t in_flight = 0;          // the bound it ran with
  double started_us = 0.0;
  double finished_us = 0.0;       // when the last item left the last stage (started_us if none)
  double items_per_second = 0.0;  // items_completed / (finished_us - started_us)
};

/// Arrival to result of a stream's completed requests, in µs (nearest-rank percentiles).
struct RequestLatency {
  double p50_us = 0.0;
  double p95_us = 0.0;
  double p99_us = 0.0;
  double mean_us = 0.0;
  double max_us = 0.0;
};

/// What became of one request stream. Every request ends in exactly one of completed, failed,
/// timed_out and refused. Times are µs since the run started.
struct ScheduledStream {
  std::string name{};
  std::string component{};
  ExecutionPriority priority = ExecutionPriority::medium;
  bool batching = true;  // ScheduledRunOptions::batching
  std::uint64_t requests = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;       // its batch failed: the kernel threw, or the scheduler refused it
  std::uint64_t timed_out = 0;    // its timeout passed in the batcher's queue (policy reject)
  std::uint64_t refused = 0;      // the batcher's queue was full when it arrived
  std::string reason{};           // the first failure, else the first refusal ("" when none)
  DynamicBatcherStats batcher{};  // batches, why they fired, the largest, late requests
  double mean_batch_size = 0.0;   // requests that went into batches / batches
  double started_us = 0.0;        // the first request's arrival
  double finished_us = 0.0;       // the last completed request's result (started_us if none)
  double requests_per_second = 0.0;         // completed / (finished_us - started_us)
  std::optional<RequestLatency> latency{};  // nullopt: no request completed
  /// The most the component held reserved while one of the stream's batches ran (0 without a
  /// memory manager): at most its budget.
  std::uint64_t memory_peak_bytes = 0;
};

struct ScheduledRun {
  std::size_t workers = 0;
  double makespan_us = 0.0;  // from the run's start until every operation and pipeline ended
  std::vector<ScheduledOperation> operations{};  // in workload order
  std::vector<ScheduledPipeline> pipelines{};    // in workload order
  std::vector<ScheduledStream> streams{};        // in workload order
  std::vector<StartLatency> start_latency{};     // each level with operations, most urgent first
  SchedulerStats stats{};

  /// Operations that ended in `status`.
  [[nodiscard]] std::size_t count(OpStatus status) const;
  /// The first failed operation, pipeline or request stream, as "operation 'x' failed: why";
  /// "" when none.
  [[nodiscard]] std::string first_failure() const;
};

/// Why `workload` needs run_scheduled() rather than a graph run, e.g. "operation 'scan' has
/// checkpoints" (the first such thing in file order: a positive arrive_ms, a deadline_ms, a
/// kernel's checkpoint_us, a pipeline, a request stream); nullopt when a graph run honours all
/// of it.
[[nodiscard]] std::optional<std::string> scheduler_feature(const Workload& workload);

/// Run `workload` on `executor` through an ExecutionScheduler (see above) and wait for all of
/// it. Binds every kernel (allocating gemm matrices) before the clock starts. Throws CycleError
/// when `after` edges form a cycle, and neat::Error for a name that does not resolve (a
/// hand-built Workload) or a call from a worker; nothing runs then. An error that the scheduler
/// raises at a submission (memory admission: SchedulerOptions::memory) is rethrown once the
/// operations already submitted have ended and the pipelines have been cancelled.
/// Memory [workload.memory]: when options.scheduler.memory is null and a component declares
/// memory_budget_bytes, the run makes a MemoryBudgetManager (the machine's default total, the
/// components' budgets and importance) so operations' and batches' memory_bytes are admitted
/// against it; bad budgets, or an operation or a stream's request larger than its component's
/// budget, or an operation with memory_bytes but no component, throw neat::Error before
/// anything runs; so do batcher options that DynamicBatcher refuses.
[[nodiscard]] ScheduledRun run_scheduled(const Workload& workload, ParallelExecutor& executor,
                                         const ScheduledRunOptions& options = {});

}  // namespace neat
