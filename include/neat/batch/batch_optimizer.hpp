// BatchOptimizer: the batch size of one component, found by a profiled sweep, kept in a cache
// file per (component, hardware fingerprint), then adjusted online from each batch's latency and
// the memory pressure (AIMD), damped so that it settles. It is the adaptive BatchSizePolicy.
//
// Sweep [batch.opt.sweep]: tune() runs real batches through `run_batch(size)` on the calling
// thread: one warm-up batch, then `sweep_repetitions` batches at min, 2·min, 4·min, ... up to
// the largest size that may be tried (max_size, and budget / bytes_per_item with a memory
// manager), then a pattern search around the best size (steps of 2^(1/2), 2^(1/4), ... for
// `refine_rounds` rounds). A size is judged by the median of its durations; it qualifies when
// that median is within the latency limit. The choice is the qualifying size of the highest
// throughput (items/s); when none qualifies, min_size. A size over the limit, or whose batch
// throws std::bad_alloc or MemoryRefused, and every larger one, is not tried again (the
// repetitions of a failing size stop at its first failure). Batches used: at most
// 1 + (coarse sizes + 2·refine_rounds)·sweep_repetitions, 86 for 1..256 with the defaults.
//
// Cache [batch.opt.cache]: a JSON file shared by components ("neatsched-batch-sizes",
// version 1: entries of component, hardware, size, items_per_second and the options that shape
// the choice: min_size, max_size, latency_limit_ns). An entry is reused only when all of them
// match; otherwise tune() sweeps and replaces it. The constructor loads the file (a missing
// file is fine). A corrupted file is an error, not a warning: neat::Error naming the file, the
// JSON path and the problem, and nothing changes. Files are replaced by rename; two processes
// writing the same file at once may lose one's entry, never corrupt it.
//
// Online [batch.opt.online]: record() classifies each batch:
//   shrink  the pressure level is elevated or above, or the latency is over the limit;
//   grow    pressure normal, the batch was full (size >= preferred size), the size is below its
//           ceiling, and the latency scaled to size + step stays within grow_below × limit
//           (always, without a limit);
//   hold    otherwise (the hysteresis band between grow_below × limit and the limit).
// Damping and the settle rule: a change needs `confirm_batches` (K) consecutive batches with the
// same signal, and comes at least `settle_batches` (N, default 16) batches after the previous
// change. So two changes from latency or pressure signals are at least N batches apart: at a
// steady rate, once converged, the size changes at most once per N batches (and, with the
// latency inside the band, never). Shrinking multiplies by decrease_factor (not below min_size);
// growing adds additive_step, up to the ceiling: the sweep's (or cache's) choice, max_size
// before one. Exceptions, applied at once: a batch that failed for memory shrinks the size and
// makes failed size - 1 a ceiling for 8·N batches; a memory budget cut below the current size
// shrinks it to what fits.
//
// Observer: every decision (sweep, cache, each online change) goes to on_batch_decision with
// the sizes and the reason, from the thread that made it, after the optimizer's lock is
// released. Holds are not reported.
//
// Thread-safety: preferred_size() and record() may be called from any thread, concurrently,
// workers included; record() takes one mutex for a few comparisons (and the memory manager's
// lock for level() and budget_bytes()). tune() and load() may run concurrently with them; two
// tune() calls run one after the other. tune() blocks for the batches it runs: call it from a
// thread that may block, not from a worker inside a batch.
//
// Usage:
//   neat::BatchOptimizer optimizer({.component = "blt_encoder", .max_size = 256,
//                                   .latency_limit = std::chrono::milliseconds(20),
//                                   .cache_file = "batch_sizes.json"});
//   neat::TuneResult tuned = optimizer.tune([&](std::size_t n) {   // reused when cached
//     const auto start = std::chrono::steady_clock::now();
//     encode(make_batch(n));
//     return std::chrono::steady_clock::now() - start;
//   });
//   batcher_uses(optimizer);   // preferred_size() before each batch, record() after it
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "neat/batch/batch_size_policy.hpp"
#include "neat/detail/thread_annotations.hpp"

namespace neat {

class MemoryBudgetManager;
class Observer;

struct BatchOptimizerOptions {
  std::string component{};  // required; the key of the cache and of memory budgets
  std::size_t min_size = 1;
  std::size_t max_size = 256;
  std::size_t initial_size = 0;  // preferred size before a sweep or cache entry; 0: min_size
  std::optional<std::chrono::nanoseconds> latency_limit{};  // none: throughput alone
  MemoryBudgetManager* memory = nullptr;  // pressure level and budget of `component`
  std::uint64_t bytes_per_item = 0;       // with memory: sizes over budget / this are not used
  Observer* observer = nullptr;           // gets every decision
  std::string cache_file{};               // empty: no cache
  std::string hardware{};                 // empty: read_hardware_fingerprint().text()
  std::size_t sweep_repetitions = 5;      // batches per size in the sweep (median)
  std::size_t refine_rounds = 4;          // pattern-search rounds after the coarse sweep
  std::size_t additive_step = 1;          // growth per change
  double decrease_factor = 0.5;           // shrink: size × this, in (0, 1)
  double grow_below = 0.8;                // grow only within this fraction of the limit (0, 1)
  std::size_t confirm_batches = 4;        // K: consecutive equal signals before a change
  std::size_t settle_batches = 16;        // N: fewest batches between two changes (K <= N)
};

/// One size measured by a sweep.
struct SweepPoint {
  std::size_t size = 0;
  std::chrono::nanoseconds duration{0};  // median of the repetitions
  double items_per_second = 0;
  bool within_limit = true;        // the median duration is within the latency limit
  bool failed_for_memory = false;  // a batch threw std::bad_alloc or MemoryRefused
};

struct TuneResult {
  std::size_t size = 0;         // the choice, now preferred_size()
  double items_per_second = 0;  // measured at `size` (as saved, when from the cache)
  std::size_t batches = 0;      // batches run by this call (0 when reused)
  bool from_cache = false;
  std::vector<SweepPoint> points{};  // in the order measured; empty when reused
};

struct BatchOptimizerStats {
  std::size_t size = 0;     // preferred_size()
  std::size_t ceiling = 0;  // the largest size online growth may reach now
  std::size_t batches = 0;  // outcomes recorded
  std::size_t changes = 0;  // size changes made by record()
  bool tuned = false;       // a sweep or a cache entry set the target
};

class BatchOptimizer final : public BatchSizePolicy {
 public:
  /// Receives the duration of one real batch of `size` items.
  using RunBatch = std::function<std::chrono::nanoseconds(std::size_t size)>;

  /// Validates the options and loads the cache file (see load()). Throws neat::Error naming the
  /// component and the option (or the file) when something is wrong.
  explicit BatchOptimizer(BatchOptimizerOptions options);
  BatchOptimizer(const BatchOptimizer&) = delete;
  BatchOptimizer& operator=(const BatchOptimizer&) = delete;

  [[nodiscard]] std::size_t preferred_size() const override;
  /// Online feedback [batch.opt.online]. Never throws for any outcome.
  void record(const BatchOutcome& outcome) override;

  /// The size of a matching cache entry, or of an earlier sweep by this optimizer, without
  /// running a batch (from_cache, batches 0); otherwise sweep(run_batch).
  TuneResult tune(const RunBatch& run_batch);
  /// Sweep [batch.opt.sweep], then save the choice to the cache file (when set) and apply it.
  /// Throws neat::Error when no size fits the memory budget, when run_batch returns a negative
  /// duration, or when the cache file cannot be written; rethrows what run_batch throws other
  /// than a memory failure. A throw changes nothing.
  TuneResult sweep(const RunBatch& run_batch);
  /// Read the cache file again; apply and return true when it holds a matching entry. False
  /// without a cache file, when the file is missing or has no matching entry. Throws
  /// neat::Error for a corrupted file (naming it, the JSON path and the problem), changing
  /// nothing.
  bool load();

  [[nodiscard]] BatchOptimizerStats stats() const;
  [[nodiscard]] const BatchOptimizerOptions& options() const noexcept { return options_; }

 private:
  enum class Signal : std::uint8_t { hold, grow, shrink };
  struct Decision {
    std::size_t from = 0;
    std::size_t to = 0;
    std::string reason{};
  };
  struct Feedback;  // what record() read from the memory manager

  // The largest size that fits the component's budget (max_size without a memory limit).
  [[nodiscard]] std::size_t memory_fit() const;
  TuneResult run_sweep(const RunBatch& run_batch) NEAT_REQUIRES(tune_mutex_);
  [[nodiscard]] std::size_t growth_ceiling(std::size_t fit) const NEAT_REQUIRES(mutex_);
  [[nodiscard]] std::optional<Decision> decide(const BatchOutcome& outcome, const Feedback& f)
      NEAT_REQUIRES(mutex_);
  [[nodiscard]] Signal classify(const BatchOutcome& outcome, const Feedback& f,
                                std::string& why) const NEAT_REQUIRES(mutex_);
  [[nodiscard]] std::optional<Decision> change_to(std::size_t size, std::string reason)
      NEAT_REQUIRES(mutex_);
  // Sets the target and the size (clamped to what fits), resets the damping.
  Decision apply_target(std::size_t size, std::string reason) NEAT_EXCLUDES(mutex_);
  void report(const Decision& decision) const;

  BatchOptimizerOptions options_;
  // Written under mutex_, read without it by preferred_size(): a standalone value that
  // publishes nothing else, so relaxed ordering suffices.
  std::atomic<std::size_t> size_;
  detail::Mutex tune_mutex_;  // one sweep at a time; never held together with mutex_ first
  mutable detail::Mutex mutex_;
  std::size_t target_ NEAT_GUARDED_BY(mutex_);
  std::size_t memory_ceiling_ NEAT_GUARDED_BY(mutex_) = 0;  // 0: none
  std::size_t ceiling_until_ NEAT_GUARDED_BY(mutex_) = 0;   // batch count when it expires
  std::size_t batches_ NEAT_GUARDED_BY(mutex_) = 0;
  std::size_t since_change_ NEAT_GUARDED_BY(mutex_) = 0;
  std::size_t changes_ NEAT_GUARDED_BY(mutex_) = 0;
  Signal streak_signal_ NEAT_GUARDED_BY(mutex_) = Signal::hold;
  std::size_t streak_ NEAT_GUARDED_BY(mutex_) = 0;
  bool tuned_ NEAT_GUARDED_BY(mutex_) = false;
  std::optional<TuneResult> cached_ NEAT_GUARDED_BY(mutex_);
};

}  // namespace neat
