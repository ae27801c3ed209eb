// ReadyQueue: the scheduler's ready operations, one ordered set and one FIFO per priority level.
// peek() finds the operation with the most urgent *aged* level — its effective level raised one
// level per `quantum` waited, never above `limit` — then promoted before not promoted, then
// higher HEFT rank, then older. [sched.ready]
//
// Not thread-safe: the scheduler's mutex guards it.
#pragma once

#include <array>
#include <cstddef>
#include <list>
#include <set>

#include "neat/common/types.hpp"
#include "neat/detail/sched_op.hpp"
#include "neat/trace/observer.hpp"

namespace neat::detail {

class ReadyQueue {
 public:
  ReadyQueue(Clock::duration quantum, ExecutionPriority limit) noexcept
      : quantum_(quantum), limit_(limit) {}

  /// Queue `op` at op.effective with op.rank, ready since `now`.
  void push(SchedOp& op, Clock::time_point now);
  /// Take `op` out (cancelled, timed out, or about to be re-queued).
  void remove(SchedOp& op);
  /// Re-key a queued `op` after inheritance raised its level or rank; keeps its age.
  void update(SchedOp& op);
  /// The next operation to run, left in the queue (take it with remove()), or nullptr when
  /// empty. Aging chose it when aged_level(op, now) differs from its queued level.
  [[nodiscard]] SchedOp* peek(Clock::time_point now) const;

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// The most urgent level holding an operation (before aging); `low` when empty.
  [[nodiscard]] ExecutionPriority top_level() const noexcept;
  /// op's level after aging at `now`.
  [[nodiscard]] ExecutionPriority aged_level(const SchedOp& op, Clock::time_point now) const;

 private:
  struct ByRank {
    bool operator()(const SchedOp* a, const SchedOp* b) const noexcept {
      if (a->queued_rank != b->queued_rank) return a->queued_rank > b->queued_rank;
      return a->tie_break != b->tie_break ? a->tie_break < b->tie_break : a->seq < b->seq;
    }
  };
  void insert(SchedOp& op);
  void erase(SchedOp& op);

  Clock::duration quantum_;
  ExecutionPriority limit_;
  std::array<std::set<SchedOp*, ByRank>, k_priority_levels> by_rank_;
  std::array<std::list<SchedOp*>, k_priority_levels> by_age_;
  std::size_t size_ = 0;
};

}  // namespace neat::detail
