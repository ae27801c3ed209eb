// One request stream of a scheduled run: its DynamicBatcher, the plain threads that send its
// requests, and what became of each request. Internal to run_scheduled(). [workload.streams]
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "neat/batch/dynamic_batcher.hpp"
#include "neat/detail/thread_annotations.hpp"
#include "neat/workload/scheduled_run.hpp"

namespace neat {
class MemoryBudgetManager;
}  // namespace neat

namespace neat::detail {

/// What became of one request: written only by the thread that sent it, read after that thread
/// was joined.
struct RequestRecord {
  enum class Outcome : std::uint8_t { not_sent, completed, failed, timed_out, refused };
  Outcome outcome = Outcome::not_sent;
  Clock::time_point arrival{};
  Clock::time_point result{};  // completed: when its batch's kernel returned
};

/// The report of a stream from its records and its batcher's counters (no clock involved).
[[nodiscard]] ScheduledStream summarize_stream(const RequestStreamSpec& spec,
                                               const std::vector<RequestRecord>& records,
                                               const DynamicBatcherStats& stats,
                                               Clock::time_point run_start);

class ScheduledStreamRun {
 public:
  /// Calibrates the kernel and makes the batcher on `scheduler` (with `memory`, the scheduler's
  /// manager, or null). Throws neat::Error for options the batcher refuses; nothing starts.
  ScheduledStreamRun(const RequestStreamSpec& spec, ExecutionScheduler& scheduler,
                     MemoryBudgetManager* memory, bool batching);
  /// Stops sending, joins the threads, then destroys the batcher (which flushes and waits).
  ~ScheduledStreamRun();
  ScheduledStreamRun(const ScheduledStreamRun&) = delete;
  ScheduledStreamRun& operator=(const ScheduledStreamRun&) = delete;

  /// Start the request threads: the first request at run_start + arrive_ms. Non-blocking.
  void start(Clock::time_point run_start);
  /// Wait until every request has its result, then report. Blocking; not from a worker.
  [[nodiscard]] ScheduledStream finish(Clock::time_point run_start);

 private:
  using Batcher = DynamicBatcher<std::uint64_t, Clock::time_point>;

  std::vector<Clock::time_point> run_batch(std::size_t size);
  void open_loop(Clock::time_point begin);
  void client(Clock::time_point begin);
  enum class Sent : std::uint8_t { queued, refused, stopped };
  /// Submit request `index` (refused: its record says so; stopped: the run is stopping).
  Sent send(std::uint64_t index, std::future<Clock::time_point>& future);
  void settle(std::uint64_t index, std::future<Clock::time_point>& future);
  /// Sleep until `time`; false when the run is stopping.
  bool sleep_until(Clock::time_point time);
  void note(std::string& first, const std::string& reason);
  void stop();

  const RequestStreamSpec& spec_;
  const bool batching_;
  MemoryBudgetManager* const memory_;
  const std::vector<Clock::duration> arrivals_;  // open loop
  std::vector<RequestRecord> records_;
  std::atomic<std::uint64_t> next_request_{0};  // closed loop: the next index to send
  std::atomic<std::uint64_t> batches_named_{0};
  std::atomic<std::uint64_t> memory_peak_{0};
  Mutex mutex_;
  std::condition_variable_any stop_cv_;
  bool stopping_ NEAT_GUARDED_BY(mutex_) = false;
  std::string first_failure_ NEAT_GUARDED_BY(mutex_);
  std::string first_refusal_ NEAT_GUARDED_BY(mutex_);
  std::vector<std::thread> threads_;
  std::unique_ptr<Batcher> batcher_;  // last: its batches use the members above
};

}  // namespace neat::detail
