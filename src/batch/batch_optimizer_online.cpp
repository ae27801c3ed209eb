// BatchOptimizer's online feedback: signals, damping, the settle rule, memory exceptions.
// [batch.opt.online]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "batch_optimizer_text.hpp"
#include "neat/batch/batch_optimizer.hpp"
#include "neat/resources/memory_budget.hpp"

namespace neat {
namespace {

// How many settle periods a memory failure's ceiling lasts.
constexpr std::size_t k_memory_ceiling_settles = 8;

}  // namespace

struct BatchOptimizer::Feedback {
  PressureLevel level = PressureLevel::normal;
  std::size_t fit = 0;  // memory_fit()
};

std::size_t BatchOptimizer::growth_ceiling(std::size_t fit) const {
  std::size_t ceiling = std::min(target_, std::max(fit, options_.min_size));
  if (memory_ceiling_ != 0) ceiling = std::min(ceiling, memory_ceiling_);
  return ceiling;
}

void BatchOptimizer::record(const BatchOutcome& outcome) {
  Feedback feedback;
  if (options_.memory != nullptr) feedback.level = options_.memory->level();
  feedback.fit = memory_fit();
  std::optional<Decision> decision;
  {
    detail::LockGuard lock(mutex_);
    decision = decide(outcome, feedback);
  }
  if (decision) report(*decision);
}

std::optional<BatchOptimizer::Decision> BatchOptimizer::decide(const BatchOutcome& outcome,
                                                               const Feedback& f) {
  ++batches_;
  ++since_change_;
  if (memory_ceiling_ != 0 && batches_ >= ceiling_until_) memory_ceiling_ = 0;
  const std::size_t current = size_.load(std::memory_order_relaxed);
  const auto shrunk = [this](std::size_t size) {
    const auto scaled =
        static_cast<std::size_t>(std::floor(static_cast<double>(size) * options_.decrease_factor));
    return std::max(scaled, options_.min_size);
  };
  const std::size_t fits = std::max(f.fit, options_.min_size);
  if (current > fits) {
    return change_to(fits, fmt::format("memory budget: {} items fit at {} bytes per item", fits,
                                       options_.bytes_per_item));
  }
  if (outcome.failed_for_memory) {
    const std::size_t failed = outcome.size != 0 ? outcome.size : current;
    memory_ceiling_ = std::max(failed - 1, options_.min_size);
    ceiling_until_ = batches_ + k_memory_ceiling_settles * options_.settle_batches;
    return change_to(
        shrunk(std::min(current, failed)),
        fmt::format("memory failure at {} items: no growth past {} for {} batches", failed,
                    memory_ceiling_, k_memory_ceiling_settles * options_.settle_batches));
  }
  std::string why;
  const Signal signal = classify(outcome, f, why);
  if (signal == streak_signal_) {
    ++streak_;
  } else {
    streak_signal_ = signal;
    streak_ = 1;
  }
  if (signal == Signal::hold || streak_ < options_.confirm_batches ||
      since_change_ < options_.settle_batches) {
    return std::nullopt;
  }
  const std::size_t next = signal == Signal::grow
                               ? std::min(current + options_.additive_step, growth_ceiling(f.fit))
                               : shrunk(current);
  return change_to(next, fmt::format("{} ({} batches in a row)", why, streak_));
}

BatchOptimizer::Signal BatchOptimizer::classify(const BatchOutcome& outcome, const Feedback& f,
                                                std::string& why) const {
  if (f.level >= PressureLevel::elevated) {
    why = fmt::format("memory pressure {}", to_string(f.level));
    return Signal::shrink;
  }
  const auto& limit = options_.latency_limit;
  if (limit && outcome.latency > *limit) {
    why = fmt::format("latency {} over the {} limit", detail::describe_duration(outcome.latency),
                      detail::describe_duration(*limit));
    return Signal::shrink;
  }
  const std::size_t current = size_.load(std::memory_order_relaxed);
  if (outcome.size < current || current >= growth_ceiling(f.fit)) return Signal::hold;
  const std::size_t next = current + options_.additive_step;
  if (!limit) {
    why = "headroom: memory pressure normal, no latency limit";
    return Signal::grow;
  }
  // [batch.opt.online] The latency scaled to the next size must stay inside the band's floor.
  const double predicted = static_cast<double>(outcome.latency.count()) *
                           static_cast<double>(next) / static_cast<double>(outcome.size);
  const double allowed = options_.grow_below * static_cast<double>(limit->count());
  if (predicted > allowed) return Signal::hold;
  why = fmt::format("headroom: latency {}, about {} at {} items, within {} of the {} limit",
                    detail::describe_duration(outcome.latency),
                    detail::describe_duration(std::chrono::nanoseconds(std::llround(predicted))),
                    next, options_.grow_below, detail::describe_duration(*limit));
  return Signal::grow;
}

std::optional<BatchOptimizer::Decision> BatchOptimizer::change_to(std::size_t size,
                                                                  std::string reason) {
  const std::size_t current = size_.load(std::memory_order_relaxed);
  if (size == current) return std::nullopt;
  size_.store(size, std::memory_order_relaxed);
  ++changes_;
  since_change_ = 0;
  streak_ = 0;
  streak_signal_ = Signal::hold;
  return Decision{current, size, std::move(reason)};
}

}  // namespace neat
