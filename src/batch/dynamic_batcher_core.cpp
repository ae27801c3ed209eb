// DynamicBatcherCore, decisions: queueing a request, when a level fires, timeouts, and when the
// timer thread must wake (sizes: dynamic_batcher_sizing.cpp). Everything here runs under the
// batcher's lock and only decides; dynamic_batcher_run.cpp acts. [batch.dyn.fire]
#include "neat/detail/dynamic_batcher_core.hpp"

#include <algorithm>
#include <iterator>

namespace neat::detail {
namespace {

constexpr Clock::time_point k_never = Clock::time_point::max();

// t + d, saturating at k_never (a delay or timeout of years means "never").
Clock::time_point later(Clock::time_point t, std::chrono::nanoseconds d) {
  const auto step = std::chrono::duration_cast<Clock::duration>(d);
  return step >= k_never - t ? k_never : t + step;
}

constexpr std::size_t k_critical = static_cast<std::size_t>(ExecutionPriority::critical);

}  // namespace

void DynamicBatcherCore::enqueue(std::unique_ptr<BatchItem> item, ExecutionPriority level,
                                 std::chrono::nanoseconds timeout) {
  Actions actions;
  {
    LockGuard lock(mutex_);
    if (queued_ >= options_.queue_capacity) {
      ++stats_.refused_full;
      throw BatcherQueueFull(options_.name, options_.queue_capacity);
    }
    // Read under the lock, so that arrivals are in order for the gap estimate.
    const Clock::time_point now = Clock::now();
    const auto index = static_cast<std::size_t>(level);
    Level& l = levels_[index];
    item->arrival = now;
    item->seq = next_seq_++;
    item->timeout = timeout;
    if (timeout.count() > 0) {
      item->expiry = later(now, timeout);
      if (item->expiry != k_never) ++l.timed;
    }
    const Clock::time_point expiry = item->expiry;
    note_arrival(l, now);
    l.pending.push_back(std::move(item));
    ++queued_;
    ++stats_.submitted;
    collect(now, actions);
    poke_timer(std::min(expiry, level_deadline(l, index)));
    if (!actions.empty()) ++busy_;
  }
  finish(std::move(actions));
}

// [batch.dyn.fire] The gap estimate describes a dense stream only: an arrival more than
// max_delay after the previous one starts a new stream with no estimate.
void DynamicBatcherCore::note_arrival(Level& level, Clock::time_point now) {
  const Clock::duration gap = now - level.last_arrival;
  if (level.seen && gap <= options_.max_delay) {
    level.gap_ewma = level.has_gap ? level.gap_ewma + (gap - level.gap_ewma) / 4 : gap;
    level.has_gap = true;
  } else {
    level.has_gap = false;
  }
  level.last_arrival = now;
  level.seen = true;
}

void DynamicBatcherCore::collect(Clock::time_point now, Actions& out) {
  if (queued_ == 0) return;
  const Sizing s = sizing(out);
  for (std::size_t i = 0; i < k_priority_levels; ++i) {
    Level& l = levels_[i];
    while (const std::optional<FireReason> reason = fire_reason(l, i, now, s)) {
      const std::size_t available = std::min(l.pending.size(), s.cap);
      pop_batch(i, *reason, batch_size(available, s, options_.preferred_sizes), out);
    }
  }
}

std::optional<FireReason> DynamicBatcherCore::fire_reason(const Level& level, std::size_t index,
                                                          Clock::time_point now,
                                                          const Sizing& sizing) const {
  if (level.pending.empty()) return std::nullopt;
  if (index == k_critical) return FireReason::critical;  // never waits, nor for a slot
  if (!slot_free()) return std::nullopt;
  const BatchItem& oldest = *level.pending.front();
  if (oldest.seq < flush_seq_) return FireReason::flush;
  if (std::min(level.pending.size(), sizing.cap) >= sizing.full) return FireReason::full;
  if (level.late > 0) return FireReason::late;
  if (now >= later(oldest.arrival, options_.max_delay)) return FireReason::delay;
  if (options_.adaptive_delay) {
    if (options_.max_in_flight > 0) return FireReason::free_slot;
    if (sparse(level)) return FireReason::sparse;
  }
  return std::nullopt;
}

// No other arrival is expected before the oldest request's delay runs out.
bool DynamicBatcherCore::sparse(const Level& level) const {
  if (!level.has_gap) return true;
  const Clock::time_point expected = level.last_arrival + level.gap_ewma;
  return expected > later(level.pending.front()->arrival, options_.max_delay);
}

bool DynamicBatcherCore::slot_free() const {
  return options_.max_in_flight == 0 || in_flight_ < options_.max_in_flight;
}

void DynamicBatcherCore::pop_batch(std::size_t index, FireReason reason, std::size_t size,
                                   Actions& out) {
  Level& l = levels_[index];
  Batch batch;
  batch.level = static_cast<ExecutionPriority>(index);
  batch.oldest = l.pending.front()->arrival;
  batch.items.reserve(size);
  for (std::size_t k = 0; k < size; ++k) {
    std::unique_ptr<BatchItem>& item = l.pending.front();
    if (item->late) --l.late;
    if (item->expiry != k_never) --l.timed;
    batch.items.push_back(std::move(item));
    l.pending.pop_front();
  }
  queued_ -= size;
  ++in_flight_;
  ++stats_.batches;
  stats_.largest_batch = std::max(stats_.largest_batch, size);
  count_fire(reason);
  out.batches.push_back(std::move(batch));
}

void DynamicBatcherCore::count_fire(FireReason reason) {
  // In the order of FireReason.
  static constexpr std::uint64_t DynamicBatcherStats::*k_counters[] = {
      &DynamicBatcherStats::fired_full,   &DynamicBatcherStats::fired_delay,
      &DynamicBatcherStats::fired_sparse, &DynamicBatcherStats::fired_free_slot,
      &DynamicBatcherStats::fired_late,   &DynamicBatcherStats::fired_critical,
      &DynamicBatcherStats::fired_flush};
  static_assert(std::size(k_counters) == static_cast<std::size_t>(FireReason::flush) + 1);
  ++(stats_.*k_counters[static_cast<std::size_t>(reason)]);
}

// Timeouts that passed: reject (taken out, failed later without the lock) or mark late.
void DynamicBatcherCore::expire(Clock::time_point now, Actions& out) {
  for (Level& l : levels_) {
    if (l.timed == 0) continue;
    for (auto it = l.pending.begin(); it != l.pending.end();) {
      BatchItem& item = **it;
      if (item.expiry > now) {
        ++it;
        continue;
      }
      --l.timed;
      item.expiry = k_never;
      if (options_.timeout_policy == TimeoutPolicy::reject) {
        const auto waited =
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - item.arrival);
        out.expired.push_back({std::move(*it), waited});
        it = l.pending.erase(it);
        --queued_;
        ++stats_.timed_out;
      } else {
        item.late = true;
        ++l.late;
        ++stats_.late;
        ++it;
      }
    }
  }
}

// When a level's delay runs out; never for a level that cannot fire by time (empty, critical,
// or every slot busy: the next completion decides then).
Clock::time_point DynamicBatcherCore::level_deadline(const Level& level, std::size_t index) const {
  if (level.pending.empty() || index == k_critical || !slot_free()) return k_never;
  return later(level.pending.front()->arrival, options_.max_delay);
}

Clock::time_point DynamicBatcherCore::earliest_deadline() const {
  Clock::time_point wake = k_never;
  for (std::size_t i = 0; i < k_priority_levels; ++i) {
    wake = std::min(wake, level_deadline(levels_[i], i));
  }
  return wake;
}

Clock::time_point DynamicBatcherCore::next_wake() const {
  Clock::time_point wake = earliest_deadline();
  for (const Level& l : levels_) {
    if (l.timed == 0) continue;
    for (const std::unique_ptr<BatchItem>& item : l.pending) wake = std::min(wake, item->expiry);
  }
  return wake;
}

// Wake the timer thread when it sleeps past `candidate` (while awake it reads the state anew).
void DynamicBatcherCore::poke_timer(Clock::time_point candidate) {
  if (candidate < timer_wake_) {
    timer_wake_ = candidate;
    timer_cv_.notify_one();
  }
}

bool DynamicBatcherCore::idle() const {
  return queued_ == 0 && in_flight_ == 0 && busy_ == 0;
}

}  // namespace neat::detail
