#include "sched/ready_queue.hpp"

#include <algorithm>
#include <tuple>

#include "neat/detail/assert.hpp"

namespace neat::detail {
namespace {
std::size_t level_index(ExecutionPriority p) { return static_cast<std::size_t>(p); }
}  // namespace

void ReadyQueue::push(SchedOp& op, Clock::time_point now) {
  NEAT_ASSERT(!op.queued, "an operation is queued once");
  op.ready_since = now;
  op.queued_level = op.effective;
  op.queued_rank = op.rank;
  insert(op);
  op.fifo_position = by_age_[level_index(op.queued_level)].insert(
      by_age_[level_index(op.queued_level)].end(), &op);
}

void ReadyQueue::insert(SchedOp& op) {
  by_rank_[level_index(op.queued_level)].insert(&op);
  op.queued = true;
  ++size_;
}

void ReadyQueue::erase(SchedOp& op) {
  by_rank_[level_index(op.queued_level)].erase(&op);
  op.queued = false;
  --size_;
}

void ReadyQueue::remove(SchedOp& op) {
  if (!op.queued) return;
  erase(op);
  by_age_[level_index(op.queued_level)].erase(op.fifo_position);
}

// The FIFO of the new level is kept in age order by inserting before the first younger entry.
void ReadyQueue::update(SchedOp& op) {
  if (!op.queued) return;
  remove(op);
  op.queued_level = op.effective;
  op.queued_rank = op.rank;
  insert(op);
  auto& fifo = by_age_[level_index(op.queued_level)];
  auto younger = std::find_if(fifo.begin(), fifo.end(), [&op](const SchedOp* other) {
    return other->ready_since > op.ready_since;
  });
  op.fifo_position = fifo.insert(younger, &op);
}

ExecutionPriority ReadyQueue::top_level() const noexcept {
  for (std::size_t level = 0; level < k_priority_levels; ++level) {
    if (!by_rank_[level].empty()) return static_cast<ExecutionPriority>(level);
  }
  return ExecutionPriority::low;
}

ExecutionPriority ReadyQueue::aged_level(const SchedOp& op, Clock::time_point now) const {
  const auto level = static_cast<long long>(op.queued_level);
  if (quantum_.count() <= 0 || level <= static_cast<long long>(limit_)) return op.queued_level;
  const long long steps = (now - op.ready_since) / quantum_;
  return static_cast<ExecutionPriority>(std::max(level - steps, static_cast<long long>(limit_)));
}

// [sched.ready] Candidates: per level, the best-ranked and the oldest operation (the oldest
// is the most aged of its level). Order: aged level, promoted first, rank, age.
SchedOp* ReadyQueue::peek(Clock::time_point now) const {
  SchedOp* best = nullptr;
  auto key = [&](const SchedOp* op) {
    const ExecutionPriority aged = aged_level(*op, now);
    return std::make_tuple(aged, aged == op->queued_level, -op->queued_rank, op->tie_break,
                           op->seq);
  };
  for (std::size_t level = 0; level < k_priority_levels; ++level) {
    if (by_rank_[level].empty()) continue;
    for (SchedOp* candidate : {*by_rank_[level].begin(), by_age_[level].front()}) {
      if (best == nullptr || key(candidate) < key(best)) best = candidate;
    }
  }
  return best;
}

}  // namespace neat::detail
