// BatchOptimizer: options, the cache entry in use, tune(), stats(). [batch.opt.cache]
#include "neat/batch/batch_optimizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "batch_optimizer_cache.hpp"
#include "batch_optimizer_text.hpp"
#include "neat/common/error.hpp"
#include "neat/resources/hardware_fingerprint.hpp"
#include "neat/resources/memory_budget.hpp"
#include "neat/trace/observer.hpp"

namespace neat {
namespace {

[[noreturn]] void bad_option(const BatchOptimizerOptions& o, const char* option,
                             const std::string& problem) {
  throw Error(fmt::format("batch optimizer '{}': {}: {}", o.component, option, problem));
}

void check_fraction(const BatchOptimizerOptions& o, const char* option, double value) {
  if (!(value > 0.0 && value < 1.0))
    bad_option(o, option, fmt::format("{} is not in (0, 1)", value));
}

void validate(const BatchOptimizerOptions& o) {
  if (o.component.empty()) throw Error("batch optimizer: component: must not be empty");
  if (o.min_size < 1) bad_option(o, "min_size", "must be >= 1");
  if (o.max_size < o.min_size) {
    bad_option(o, "max_size", fmt::format("{} is below min_size {}", o.max_size, o.min_size));
  }
  if (o.initial_size != 0 && (o.initial_size < o.min_size || o.initial_size > o.max_size)) {
    bad_option(o, "initial_size",
               fmt::format("{} is outside min_size..max_size ({}..{})", o.initial_size, o.min_size,
                           o.max_size));
  }
  if (o.latency_limit && o.latency_limit->count() <= 0) {
    bad_option(o, "latency_limit", fmt::format("must be > 0, got {} ns", o.latency_limit->count()));
  }
  if (o.bytes_per_item > 0 && o.memory == nullptr) {
    bad_option(o, "bytes_per_item", "needs a memory manager (options.memory)");
  }
  if (o.sweep_repetitions < 1) bad_option(o, "sweep_repetitions", "must be >= 1");
  if (o.additive_step < 1) bad_option(o, "additive_step", "must be >= 1");
  check_fraction(o, "decrease_factor", o.decrease_factor);
  check_fraction(o, "grow_below", o.grow_below);
  if (o.settle_batches < 1) bad_option(o, "settle_batches", "must be >= 1");
  if (o.confirm_batches < 1 || o.confirm_batches > o.settle_batches) {
    bad_option(
        o, "confirm_batches",
        fmt::format("{} is outside 1..settle_batches ({})", o.confirm_batches, o.settle_batches));
  }
  if (o.memory != nullptr) {
    try {
      (void)o.memory->budget_bytes(o.component);
    } catch (const Error& e) {
      bad_option(o, "memory", e.what());
    }
  }
}

bool matches(const detail::BatchSizeEntry& e, const BatchOptimizerOptions& o) {
  const std::int64_t limit = o.latency_limit ? o.latency_limit->count() : 0;
  return e.component == o.component && e.hardware == o.hardware && e.min_size == o.min_size &&
         e.max_size == o.max_size && e.latency_limit_ns == limit;
}

}  // namespace

namespace detail {
std::string describe_duration(std::chrono::nanoseconds duration) {
  const auto ns = static_cast<double>(duration.count());
  if (ns >= 1e9) return fmt::format("{:.3g} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3g} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.3g} us", ns / 1e3);
  return fmt::format("{} ns", duration.count());
}

std::string describe_rate(double items_per_second) {
  if (items_per_second >= 100.0) return fmt::format("{:.0f} items/s", items_per_second);
  return fmt::format("{:.3g} items/s", items_per_second);
}
}  // namespace detail

BatchOptimizer::BatchOptimizer(BatchOptimizerOptions options)
    : options_(std::move(options)), size_(0), target_(0) {
  validate(options_);
  if (options_.hardware.empty()) options_.hardware = read_hardware_fingerprint().text();
  const std::size_t initial =
      options_.initial_size != 0 ? options_.initial_size : options_.min_size;
  size_.store(std::clamp(initial, options_.min_size, std::max(memory_fit(), options_.min_size)),
              std::memory_order_relaxed);
  target_ = options_.max_size;
  since_change_ = options_.settle_batches;
  (void)load();
}

std::size_t BatchOptimizer::preferred_size() const {
  return size_.load(std::memory_order_relaxed);
}

std::size_t BatchOptimizer::memory_fit() const {
  if (options_.memory == nullptr || options_.bytes_per_item == 0) return options_.max_size;
  const std::uint64_t items =
      options_.memory->budget_bytes(options_.component) / options_.bytes_per_item;
  return static_cast<std::size_t>(std::min<std::uint64_t>(items, options_.max_size));
}

BatchOptimizer::Decision BatchOptimizer::apply_target(std::size_t size, std::string reason) {
  const std::size_t fits = std::max(memory_fit(), options_.min_size);
  detail::LockGuard lock(mutex_);
  const std::size_t from = size_.load(std::memory_order_relaxed);
  target_ = size;
  size_.store(std::min(size, fits), std::memory_order_relaxed);
  tuned_ = true;
  memory_ceiling_ = 0;
  streak_ = 0;
  streak_signal_ = Signal::hold;
  return Decision{from, std::min(size, fits), std::move(reason)};
}

void BatchOptimizer::report(const Decision& decision) const {
  if (options_.observer == nullptr) return;
  options_.observer->on_batch_decision({.component = options_.component,
                                        .from = decision.from,
                                        .to = decision.to,
                                        .reason = decision.reason,
                                        .time = Clock::now()});
}

bool BatchOptimizer::load() {
  if (options_.cache_file.empty()) return false;
  for (const detail::BatchSizeEntry& e : detail::read_batch_sizes(options_.cache_file)) {
    if (!matches(e, options_)) continue;
    {
      detail::LockGuard lock(mutex_);
      cached_ = TuneResult{
          .size = e.size, .items_per_second = e.items_per_second, .batches = 0, .from_cache = true};
    }
    report(apply_target(
        e.size, fmt::format("cache: {} items ({}) from {}", e.size,
                            detail::describe_rate(e.items_per_second), options_.cache_file)));
    return true;
  }
  detail::LockGuard lock(mutex_);
  cached_.reset();
  return false;
}

TuneResult BatchOptimizer::tune(const RunBatch& run_batch) {
  detail::LockGuard tuning(tune_mutex_);
  {
    detail::LockGuard lock(mutex_);
    if (cached_) return *cached_;
  }
  return run_sweep(run_batch);
}

TuneResult BatchOptimizer::sweep(const RunBatch& run_batch) {
  detail::LockGuard tuning(tune_mutex_);
  return run_sweep(run_batch);
}

BatchOptimizerStats BatchOptimizer::stats() const {
  const std::size_t fit = memory_fit();
  detail::LockGuard lock(mutex_);
  return {.size = size_.load(std::memory_order_relaxed),
          .ceiling = growth_ceiling(fit),
          .batches = batches_,
          .changes = changes_,
          .tuned = tuned_};
}

}  // namespace neat
