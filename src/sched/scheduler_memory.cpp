// ExecutionScheduler memory admission. [sched.memory]
//
// An operation that declares memory_bytes (with SchedulerOptions::memory set) starts only with a
// reservation of that many bytes of its component's budget. A refused one is *deferred*: taken
// out of the ready queue, status `deferred`, reason() saying why, and queued again when the
// manager reports a release or a pressure change. Higher priority gets memory first: while a
// more urgent (or, at equal level, older) operation waits for memory of the same pool (the
// whole budget, or the same component), a less urgent one is not admitted even if it fits.
// Operations that hold memory never wait for memory, so scarce memory cannot deadlock the
// scheduler; it only serialises the operations that need it.
#include <fmt/format.h>

#include <algorithm>

#include "neat/common/error.hpp"
#include "neat/resources/memory_budget.hpp"
#include "resources/byte_text.hpp"
#include "sched/scheduler_impl.hpp"

namespace neat::detail {

void SchedulerImpl::validate_memory(const OperationDescriptor& descriptor) const {
  const std::uint64_t bytes = descriptor.memory_bytes;
  if (options_.memory == nullptr || bytes == 0) return;
  const std::string& name = descriptor.name;
  const std::string& component = descriptor.component;
  if (component.empty()) {
    throw Error(fmt::format("ExecutionScheduler::submit('{}'): declares memory_bytes {} but no "
                            "component whose budget would pay for it",
                            name, bytes_text(bytes)));
  }
  std::uint64_t budget = 0;
  try {
    budget = options_.memory->budget_bytes(component);
  } catch (const Error& e) {
    throw Error(fmt::format("ExecutionScheduler::submit('{}'): {}", name, e.what()));
  }
  if (bytes > budget) {
    throw Error(fmt::format("ExecutionScheduler::submit('{}'): needs {} but component '{}' has a "
                            "memory budget of {}; it could never start",
                            name, bytes_text(bytes), component, bytes_text(budget)));
  }
}

bool SchedulerImpl::needs_admission(const SchedOp& op) const noexcept {
  return options_.memory != nullptr && op.descriptor().memory_bytes > 0 &&
         !(op.extras && op.extras->memory.holds());
}

// Whether a deferred operation `waiting` keeps `op` from taking memory now.
bool SchedulerImpl::blocked_by(const SchedOp& op, const Deferred& waiting) const noexcept {
  const SchedOp& w = *waiting.op;
  const bool ahead = w.effective < op.effective || (w.effective == op.effective && w.seq < op.seq);
  if (!ahead) return false;
  if (waiting.pool == MemoryPool::global) return true;
  return waiting.pool == MemoryPool::component &&
         w.descriptor().component == op.descriptor().component;
}

bool SchedulerImpl::admit(SchedOp& op) {
  if (!needs_admission(op)) return true;
  for (const Deferred& waiting : deferred_) {
    if (blocked_by(op, waiting)) {
      defer(op, MemoryPool::none,  // it waits behind `waiting`, which already blocks the rest
            fmt::format("waits for memory: '{}' is more urgent and waits for it too",
                        waiting.op->descriptor().name));
      return false;
    }
  }
  ReservationResult result =
      options_.memory->try_reserve(op.descriptor().component, op.descriptor().memory_bytes);
  if (result) {
    op.ensure_extras().memory = std::move(result).value();
    return true;
  }
  const Refusal& refusal = result.error();
  const MemoryPool pool = refusal.reason == RefusalReason::over_global_budget ? MemoryPool::global
                          : refusal.reason == RefusalReason::over_component_budget
                              ? MemoryPool::component
                              : MemoryPool::none;  // its component is inactive
  defer(op, pool, "waits for memory: " + refusal.message);
  return false;
}

void SchedulerImpl::defer(SchedOp& op, MemoryPool pool, std::string why) {
  op.status_.store(OpStatus::deferred, std::memory_order_release);
  op.note(std::move(why));
  deferred_.push_back(Deferred{&op, pool});
  deferred_count_.store(deferred_.size(), std::memory_order_seq_cst);
}

// A release may race with a refusal: the listener sets the flag, then reads the count; a
// deferral sets the count, then (here) reads the flag. Both seq_cst: one of them posts a job.
void SchedulerImpl::recheck_memory_after_deferral() {
  if (!deferred_.empty() && memory_changed_.load(std::memory_order_seq_cst)) {
    ensure_token(ExecutionPriority::critical);
  }
}

void SchedulerImpl::forget_deferred(SchedOp& op) {
  std::erase_if(deferred_, [&op](const Deferred& d) { return d.op == &op; });
  deferred_count_.store(deferred_.size(), std::memory_order_relaxed);
}

// Memory was released or the pressure changed: every deferred operation is ready again, and
// the dispatcher tries them most urgent first.
void SchedulerImpl::readmit_deferred() {
  if (!memory_changed_.exchange(false, std::memory_order_acq_rel) || deferred_.empty()) return;
  const Clock::time_point now = Clock::now();
  for (const Deferred& d : std::exchange(deferred_, {})) {
    d.op->note("");
    d.op->status_.store(OpStatus::ready, std::memory_order_release);
    ready_.push(*d.op, now);
  }
  deferred_count_.store(0, std::memory_order_relaxed);
}

// Called by the manager's listeners, without its lock and possibly while this thread holds the
// scheduler's (try_reserve and releases run listeners on the calling thread): only atomics
// and a dispatch job.
void SchedulerImpl::memory_changed() {
  memory_changed_.store(true, std::memory_order_seq_cst);
  if (deferred_count_.load(std::memory_order_seq_cst) > 0) ensure_token(ExecutionPriority::critical);
}

void SchedulerImpl::subscribe_memory() {
  if (options_.memory == nullptr) return;
  release_listener_ =
      options_.memory->on_release([this](const MemoryReleased& /*event*/) { memory_changed(); });
  pressure_listener_ = options_.memory->on_pressure_change(
      [this](const PressureChange& /*event*/) { memory_changed(); });
}

void SchedulerImpl::unsubscribe_memory() {
  if (options_.memory == nullptr) return;
  options_.memory->unsubscribe(release_listener_);
  options_.memory->unsubscribe(pressure_listener_);
}

}  // namespace neat::detail
