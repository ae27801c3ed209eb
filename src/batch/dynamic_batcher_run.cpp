// DynamicBatcherCore, acting: submitting batches to the scheduler, running them, feedback to
// the size policy, the timer thread, flush and shutdown. Nothing here holds the batcher's lock
// while it calls the scheduler, the batch function, the policy or the observer. [batch.dyn.run]
//
// Lifetime [batch.dyn.stop]: a thread acting on decisions counts in busy_ and a batch in
// in_flight_; stop() waits until both are 0 and the queue is empty. So the options' policy,
// observer and memory manager are never used after the batcher's destructor returned; only
// the core itself (kept alive by the batch operations that still hold it) and its mutex are.
#include <fmt/format.h>

#include <new>

#include "neat/batch/batch_size_policy.hpp"
#include "neat/detail/dynamic_batcher_core.hpp"
#include "neat/resources/memory_reservation.hpp"
#include "neat/sched/execution_scheduler.hpp"

namespace neat::detail {
namespace {

void fail_all(BatchItems& items, const std::exception_ptr& error) noexcept {
  for (const std::unique_ptr<BatchItem>& item : items) item->fail(error);
}

}  // namespace

// stop() joined the timer thread: DynamicBatcher calls it before it lets the core go.
DynamicBatcherCore::~DynamicBatcherCore() = default;

void DynamicBatcherCore::start() {
  timer_ = std::thread([this] { timer_loop(); });
}

void DynamicBatcherCore::stop() {
  flush();
  wait_idle();
  {
    LockGuard lock(mutex_);
    stopping_ = true;
    timer_cv_.notify_all();
  }
  timer_.join();
}

void DynamicBatcherCore::flush() {
  Actions actions;
  {
    LockGuard lock(mutex_);
    flush_seq_ = next_seq_;
    collect(Clock::now(), actions);
    if (!actions.empty()) ++busy_;
  }
  finish(std::move(actions));
}

void DynamicBatcherCore::wait_idle() {
  LockGuard lock(mutex_);
  while (!idle()) idle_cv_.wait(mutex_);
}

DynamicBatcherStats DynamicBatcherCore::stats() const {
  const std::size_t cap = memory_limit().cap;
  LockGuard lock(mutex_);
  DynamicBatcherStats s = stats_;
  s.queued = queued_;
  s.in_flight = in_flight_;
  s.max_batch_now = cap;
  return s;
}

// Act on what a decision pass found; the caller counted itself in busy_.
void DynamicBatcherCore::finish(Actions actions) {
  if (actions.empty()) return;
  perform(std::move(actions));
  LockGuard lock(mutex_);
  --busy_;
  if (idle()) idle_cv_.notify_all();
}

void DynamicBatcherCore::perform(Actions actions) {
  while (!actions.empty()) {
    for (Expired& e : actions.expired) {
      e.item->fail(
          std::make_exception_ptr(RequestTimedOut(options_.name, e.waited, e.item->timeout)));
    }
    if (options_.observer != nullptr) {
      for (const Decision& d : actions.decisions) {
        options_.observer->on_batch_decision({.component = options_.component,
                                              .from = d.from,
                                              .to = d.to,
                                              .reason = d.reason,
                                              .time = Clock::now()});
      }
    }
    std::size_t refused = 0;
    for (Batch& batch : actions.batches) {
      if (!dispatch(batch)) ++refused;
    }
    actions = Actions{};
    if (refused == 0) break;
    LockGuard lock(mutex_);  // refused batches free their slots: decide again
    in_flight_ -= refused;
    stats_.failed_batches += refused;
    collect(Clock::now(), actions);
  }
}

// Submit one batch; false when the scheduler refused it (its requests have failed then).
bool DynamicBatcherCore::dispatch(Batch& batch) {
  const std::size_t size = batch.items.size();
  Submission submission;
  submission.descriptor.name = options_.name;
  submission.descriptor.component = options_.component;
  submission.descriptor.priority = batch.level;
  submission.descriptor.memory_bytes = options_.memory_bytes_per_item * size;
  if (!options_.profile_kind.empty()) {
    submission.kind = options_.profile_kind;
    submission.footprint = {static_cast<double>(size)};
  }
  // Shared, so that the requests survive a submit() that throws after taking the callable.
  auto owned = std::make_shared<Batch>(std::move(batch));
  try {
    if (options_.batch_name) submission.descriptor.name = options_.batch_name(size);
    (void)scheduler_.submit(
        std::move(submission),
        [self = shared_from_this(), owned](OpContext& ctx) { self->run_batch(*owned, ctx); });
    return true;
  } catch (...) {
    const std::exception_ptr error = std::make_exception_ptr(
        Error(fmt::format("DynamicBatcher '{}': the scheduler refused a batch of {}: {}",
                          options_.name, size, describe(std::current_exception()))));
    fail_all(owned->items, error);
    record(*owned, Clock::duration{0}, options_.memory_bytes_per_item > 0);
    return false;
  }
}

// On a worker: the batch function, the policy's feedback, then the slot is free.
void DynamicBatcherCore::run_batch(Batch& batch, OpContext& ctx) {
  const Clock::time_point start = Clock::now();
  bool failed = true;
  bool for_memory = false;
  try {
    execute(batch.items, ctx);
    failed = false;
  } catch (const std::bad_alloc&) {
    for_memory = true;
    fail_all(batch.items, std::current_exception());
  } catch (const MemoryRefused&) {
    for_memory = true;
    fail_all(batch.items, std::current_exception());
  } catch (...) {
    fail_all(batch.items, std::current_exception());
  }
  record(batch, Clock::now() - start, for_memory);
  batch.items.clear();  // the requests go now; the operation itself may live on
  finish_batch(failed);
}

void DynamicBatcherCore::record(const Batch& batch, Clock::duration run_time,
                                bool failed_for_memory) const {
  if (options_.size_policy == nullptr) return;
  BatchOutcome outcome;
  outcome.size = batch.items.size();
  outcome.latency = Clock::now() - batch.oldest;
  outcome.run_time = run_time;
  outcome.failed_for_memory = failed_for_memory;
  try {
    options_.size_policy->record(outcome);
  } catch (...) {  // NOLINT(bugprone-empty-catch): a policy must not throw; the slot must free
  }
}

void DynamicBatcherCore::finish_batch(bool failed) {
  Actions actions;
  {
    LockGuard lock(mutex_);
    if (failed) ++stats_.failed_batches;
    --in_flight_;
    collect(Clock::now(), actions);
    poke_timer(earliest_deadline());  // a level that waited for a slot waits for time now
    if (!actions.empty()) {
      ++busy_;
    } else if (idle()) {
      idle_cv_.notify_all();
    }
  }
  finish(std::move(actions));
}

// [batch.dyn.timer] The one thread of a batcher: it sleeps until the earliest delay or timeout
// (indefinitely when there is none), then decides like any other caller.
void DynamicBatcherCore::timer_loop() {
  for (;;) {
    Actions actions;
    {
      LockGuard lock(mutex_);
      for (;;) {
        if (stopping_) return;
        const Clock::time_point now = Clock::now();
        expire(now, actions);
        collect(now, actions);
        if (!actions.empty()) break;
        // A copy: wait_until reads its argument while others may move timer_wake_ earlier.
        const Clock::time_point wake = next_wake();
        timer_wake_ = wake;
        if (wake == Clock::time_point::max()) {
          timer_cv_.wait(mutex_);
        } else {
          timer_cv_.wait_until(mutex_, wake);
        }
        timer_wake_ = Clock::time_point::min();
      }
      ++busy_;
    }
    finish(std::move(actions));
  }
}

}  // namespace neat::detail
