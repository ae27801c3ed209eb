// BatchOptimizer's profiled sweep: coarse doubling, then a pattern search around the best size.
// [batch.opt.sweep]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <new>
#include <optional>
#include <vector>

#include "batch_optimizer_cache.hpp"
#include "batch_optimizer_text.hpp"
#include "neat/batch/batch_optimizer.hpp"
#include "neat/common/error.hpp"
#include "neat/resources/memory_budget.hpp"

namespace neat {
namespace {

using std::chrono::nanoseconds;

class Sweeper {
 public:
  Sweeper(const BatchOptimizerOptions& options, std::size_t largest,
          const BatchOptimizer::RunBatch& run_batch)
      : options_(options), largest_(largest), run_batch_(run_batch) {}

  TuneResult run() {
    (void)run_one(options_.min_size);  // warm-up: caches, allocator, lazy initialisation
    coarse();
    refine();
    TuneResult result;
    result.batches = batches_;
    if (const SweepPoint* best = best_point()) {
      result.size = best->size;
      result.items_per_second = best->items_per_second;
    } else {
      result.size = options_.min_size;
    }
    result.points = points_;
    return result;
  }

  [[nodiscard]] std::string reason(const TuneResult& result) const {
    const std::string limit = options_.latency_limit
                                  ? fmt::format(" within the {} limit",
                                                detail::describe_duration(*options_.latency_limit))
                                  : "";
    const std::string counts = fmt::format("{} sizes, {} batches", points_.size(), result.batches);
    const SweepPoint* best = best_point();
    if (best == nullptr) {
      return fmt::format(
          "sweep: no size qualified{} (or ran without a memory failure); the "
          "smallest, {} ({})",
          limit, result.size, counts);
    }
    return fmt::format("sweep: best throughput {} at {} items{}, median {} ({})",
                       detail::describe_rate(best->items_per_second), best->size, limit,
                       detail::describe_duration(best->duration), counts);
  }

 private:
  // Doubling from min_size; stops at the first size over the limit or out of memory.
  void coarse() {
    for (std::size_t size = options_.min_size;;) {
      if (size > upper()) break;
      if (!usable(measure(size)) || size == largest_) break;
      size = size > largest_ / 2 ? largest_ : size * 2;
    }
  }

  // Pattern search: steps of 2^(1/2), 2^(1/4), ... on both sides of the best size so far.
  void refine() {
    double step = std::sqrt(2.0);
    for (std::size_t round = 0; round < options_.refine_rounds; ++round, step = std::sqrt(step)) {
      const SweepPoint* best = best_point();
      if (best == nullptr) return;
      const double center = static_cast<double>(best->size);
      for (const double factor : {step, 1.0 / step}) {
        const auto raw = static_cast<std::size_t>(std::llround(center * factor));
        if (upper() < options_.min_size) return;
        const std::size_t size = std::clamp(raw, options_.min_size, upper());
        if (!measured(size)) (void)measure(size);
      }
    }
  }

  // The largest size worth trying: under the first one out of memory or over the limit.
  [[nodiscard]] std::size_t upper() const {
    std::size_t upper = largest_;
    for (const SweepPoint& p : points_) {
      if (!usable(p)) upper = std::min(upper, p.size - 1);
    }
    return upper;
  }

  static bool usable(const SweepPoint& p) { return !p.failed_for_memory && p.within_limit; }

  [[nodiscard]] bool measured(std::size_t size) const {
    return std::any_of(points_.begin(), points_.end(),
                       [size](const SweepPoint& p) { return p.size == size; });
  }

  [[nodiscard]] const SweepPoint* best_point() const {
    const SweepPoint* best = nullptr;
    for (const SweepPoint& p : points_) {
      if (usable(p) && (best == nullptr || p.items_per_second > best->items_per_second)) best = &p;
    }
    return best;
  }

  const SweepPoint& measure(std::size_t size) {
    SweepPoint point{.size = size};
    std::vector<nanoseconds> durations;
    for (std::size_t r = 0; r < options_.sweep_repetitions; ++r) {
      const std::optional<nanoseconds> duration = run_one(size);
      if (!duration) {
        point.failed_for_memory = true;
        break;
      }
      durations.push_back(*duration);
    }
    if (!point.failed_for_memory) {
      const auto middle = durations.begin() + static_cast<std::ptrdiff_t>(durations.size() / 2);
      std::nth_element(durations.begin(), middle, durations.end());
      point.duration = *middle;
      point.items_per_second =
          static_cast<double>(size) * 1e9 / static_cast<double>(point.duration.count());
      point.within_limit = !options_.latency_limit || point.duration <= *options_.latency_limit;
    }
    points_.push_back(point);
    return points_.back();
  }

  // One batch; nullopt when it failed for memory.
  std::optional<nanoseconds> run_one(std::size_t size) {
    ++batches_;
    nanoseconds duration{0};
    try {
      duration = run_batch_(size);
    } catch (const std::bad_alloc&) {
      return std::nullopt;
    } catch (const MemoryRefused&) {
      return std::nullopt;
    }
    if (duration.count() < 0) {
      throw Error(
          fmt::format("batch optimizer '{}': run_batch({}) returned a negative duration "
                      "({} ns)",
                      options_.component, size, duration.count()));
    }
    return std::max(duration, nanoseconds(1));
  }

  const BatchOptimizerOptions& options_;
  std::size_t largest_;
  const BatchOptimizer::RunBatch& run_batch_;
  std::vector<SweepPoint> points_;
  std::size_t batches_ = 0;
};

}  // namespace

TuneResult BatchOptimizer::run_sweep(const RunBatch& run_batch) {
  if (!run_batch)
    throw Error(fmt::format("batch optimizer '{}': run_batch is empty", options_.component));
  const std::size_t fit = memory_fit();
  if (fit < options_.min_size) {
    throw Error(fmt::format(
        "batch optimizer '{}': no batch size fits the memory budget: {} bytes / {} bytes per "
        "item = {} items, below min_size {}",
        options_.component, options_.memory->budget_bytes(options_.component),
        options_.bytes_per_item, fit, options_.min_size));
  }
  Sweeper sweeper(options_, fit, run_batch);
  TuneResult result = sweeper.run();
  std::string reason = sweeper.reason(result);
  if (!options_.cache_file.empty()) {
    detail::store_batch_size(
        options_.cache_file,
        {.component = options_.component,
         .hardware = options_.hardware,
         .size = result.size,
         .items_per_second = result.items_per_second,
         .min_size = options_.min_size,
         .max_size = options_.max_size,
         .latency_limit_ns = options_.latency_limit ? options_.latency_limit->count() : 0});
  }
  {
    detail::LockGuard lock(mutex_);
    cached_ = TuneResult{.size = result.size,
                         .items_per_second = result.items_per_second,
                         .batches = 0,
                         .from_cache = true};
  }
  report(apply_target(result.size, std::move(reason)));
  return result;
}

}  // namespace neat
