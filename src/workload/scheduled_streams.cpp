// The request streams of a scheduled run: a DynamicBatcher per stream, fed by plain threads (one
// per open-loop stream, one per closed-loop client), its batches running the batched kernel on
// the scheduler's workers. [workload.streams]
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "neat/resources/memory_budget.hpp"
#include "scheduled_parts.hpp"
#include "scheduled_stream.hpp"

namespace neat::detail {

ScheduledStreamRun::ScheduledStreamRun(const RequestStreamSpec& spec, ExecutionScheduler& scheduler,
                                       MemoryBudgetManager* memory, bool batching)
    : spec_(spec),
      batching_(batching),
      memory_(memory),
      arrivals_(stream_arrivals(spec)),
      records_(spec.requests) {
  if (spec.kernel.type == KernelType::spin) (void)kernels::spin_iterations_per_us();
  DynamicBatcherOptions options = batcher_options(spec, batching);
  options.memory = memory;
  // Batches are named "<stream>#<k> (<n> requests)" so that traces show each one and its size.
  options.batch_name = [this](std::size_t size) {
    const std::uint64_t k = batches_named_.fetch_add(1, std::memory_order_relaxed);
    return fmt::format("{}#{} ({} request{})", spec_.name, k, size, size == 1 ? "" : "s");
  };
  batcher_ = std::make_unique<Batcher>(
      scheduler, std::move(options),
      [this](std::vector<std::uint64_t>& batch) { return run_batch(batch.size()); });
}

ScheduledStreamRun::~ScheduledStreamRun() {
  stop();
  batcher_.reset();
}

// Nothing is sent after stopping_ is set; what was queued goes now rather than after its delay.
void ScheduledStreamRun::stop() {
  {
    LockGuard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  batcher_->flush();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

// On a worker: call_us + item_us × size of the kernel, then every request's result time.
std::vector<Clock::time_point> ScheduledStreamRun::run_batch(std::size_t size) {
  if (memory_ != nullptr) {
    // Relaxed: a maximum read once the batcher is idle (its lock orders that read).
    const std::uint64_t held = memory_->reserved_bytes(spec_.component);
    std::uint64_t seen = memory_peak_.load(std::memory_order_relaxed);
    while (seen < held &&
           !memory_peak_.compare_exchange_weak(seen, held, std::memory_order_relaxed)) {
    }
  }
  const BatchKernelSpec& k = spec_.kernel;
  const double us = k.call_us + k.item_us * static_cast<double>(size);
  if (k.type == KernelType::fail) throw std::runtime_error(k.message);
  if (k.type == KernelType::sleep) {
    kernels::sleep_us(us);
  } else {
    (void)kernels::spin(us, k.spin_mode);
  }
  return std::vector<Clock::time_point>(size, Clock::now());
}

void ScheduledStreamRun::start(Clock::time_point run_start) {
  const Clock::time_point begin = run_start + from_ms(spec_.arrive_ms);
  if (spec_.clients == 0) {
    threads_.emplace_back([this, begin] { open_loop(begin); });
    return;
  }
  for (std::uint64_t c = 0; c < spec_.clients; ++c) {
    threads_.emplace_back([this, begin] { client(begin); });
  }
}

bool ScheduledStreamRun::sleep_until(Clock::time_point time) {
  LockGuard lock(mutex_);
  while (!stopping_ && Clock::now() < time) stop_cv_.wait_until(mutex_, time);
  return !stopping_;
}

void ScheduledStreamRun::note(std::string& first, const std::string& reason) {
  LockGuard lock(mutex_);
  if (first.empty()) first = reason;
}

// Under the lock, so that once stop() has set stopping_ and flushed, nothing more is queued.
// (The batcher never calls back into this object while it holds its own locks.)
ScheduledStreamRun::Sent ScheduledStreamRun::send(std::uint64_t index,
                                                  std::future<Clock::time_point>& future) {
  RequestOptions options;
  if (spec_.timeout_ms) {
    options.timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double, std::milli>(*spec_.timeout_ms));
  }
  RequestRecord& record = records_[index];
  LockGuard lock(mutex_);
  if (stopping_) return Sent::stopped;
  record.arrival = Clock::now();
  try {
    future = batcher_->submit(index, options);
    return Sent::queued;
  } catch (const std::exception& e) {  // BatcherQueueFull: the options were checked already
    record.outcome = RequestRecord::Outcome::refused;
    if (first_refusal_.empty()) first_refusal_ = e.what();
    return Sent::refused;
  }
}

void ScheduledStreamRun::settle(std::uint64_t index, std::future<Clock::time_point>& future) {
  RequestRecord& record = records_[index];
  try {
    record.result = future.get();
    record.outcome = RequestRecord::Outcome::completed;
  } catch (const RequestTimedOut&) {
    record.outcome = RequestRecord::Outcome::timed_out;
  } catch (const std::exception& e) {
    record.outcome = RequestRecord::Outcome::failed;
    note(first_failure_, e.what());
  }
}

// Every request at its arrival time, then every result in order (the result times come from
// the batches, so waiting in order does not change them).
void ScheduledStreamRun::open_loop(Clock::time_point begin) {
  std::vector<std::future<Clock::time_point>> futures(arrivals_.size());
  std::vector<bool> queued(arrivals_.size(), false);
  for (std::size_t i = 0; i < arrivals_.size(); ++i) {
    if (!sleep_until(begin + arrivals_[i])) break;
    const Sent sent = send(i, futures[i]);
    if (sent == Sent::stopped) break;
    queued[i] = sent == Sent::queued;
  }
  for (std::size_t i = 0; i < arrivals_.size(); ++i) {
    if (queued[i]) settle(i, futures[i]);
  }
}

// Closed loop: take the next request number, send it, wait for its result; until none is left.
void ScheduledStreamRun::client(Clock::time_point begin) {
  if (!sleep_until(begin)) return;
  for (;;) {
    const std::uint64_t i = next_request_.fetch_add(1, std::memory_order_relaxed);
    if (i >= spec_.requests) return;
    std::future<Clock::time_point> future;
    const Sent sent = send(i, future);
    if (sent == Sent::stopped) return;
    if (sent == Sent::queued) settle(i, future);
  }
}

ScheduledStream ScheduledStreamRun::finish(Clock::time_point run_start) {
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  batcher_->wait_idle();  // the batches' counters are final once every slot is free
  ScheduledStream out = summarize_stream(spec_, records_, batcher_->stats(), run_start);
  out.batching = batching_;
  out.memory_peak_bytes = memory_peak_.load(std::memory_order_relaxed);
  LockGuard lock(mutex_);
  out.reason = first_failure_.empty() ? first_refusal_ : first_failure_;
  return out;
}

}  // namespace neat::detail
